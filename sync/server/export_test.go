package server

// Routes exposes the route table to the tests.
var Routes = routes
