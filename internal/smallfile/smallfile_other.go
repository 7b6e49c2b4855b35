//go:build !unix

package smallfile

// nonBlock is no flag: the system has no named pipes in its folders.
const nonBlock = 0
