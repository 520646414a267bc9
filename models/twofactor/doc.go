// Package twofactor holds the second factor of sign-in: TOTP enrolment (with its QR
// code), verification with its failure window, and the recovery codes.
package twofactor
