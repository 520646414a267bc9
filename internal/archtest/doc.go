// Package archtest holds no code: its test checks the import direction between the
// packages of the module (models below app, feature packages independent of each
// other, web below the features, jobs below the server). `make lint` and CI run it.
package archtest
