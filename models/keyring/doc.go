// Package keyring seals and opens the portal's sensitive values (identities,
// proposals, attachments, dissents, TOTP secrets) with AES-GCM under versioned keys,
// each sealed value bound to its row by its additional data. It imports nothing of
// the portal: every data package can use it.
package keyring
