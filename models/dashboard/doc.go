// Package dashboard lists what waits for each user on the home page: open votes and
// written deliberations, séances to convene or underway, procès-verbaux to validate or
// approve, files by state and parcours due for renewal.
package dashboard
