// Package rotation re-seals every sealed column of every domain under the current
// key of the keyring, so that an old key can be retired.
package rotation
