package pinsede

import (
	"errors"
	"fmt"
	"testing"
)

// Ensure that a field problem is found through any wrapping, and that an
// error of another kind becomes a problem of the field instead of a panic
// (the checks used a type assertion, which a wrapped error would crash).
func TestAsFieldError(t *testing.T) {
	fe := FieldError{Field: FieldCodiceFiscale, Key: KeyCFCheck, Args: map[string]any{"Want": "U"}}
	if got := asFieldError(fmt.Errorf("check: %w", fe), FieldCodiceFiscale); got.Key != KeyCFCheck || got.Args["Want"] != "U" {
		t.Errorf("wrapped: %+v", got)
	}
	if got := asFieldError(errors.New("disk on fire"), FieldLuogoNascita); got.Field != FieldLuogoNascita || got.Key != KeyInvalid {
		t.Errorf("another error: %+v", got)
	}
}
