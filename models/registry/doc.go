// Package registry holds the commission's composition: the approved associations and
// their agréments, the seats of R121-12-7 with their titulaires and suppléants
// (mandates), the composition at a date and the voting roll it gives, and the import
// of a composition from a workbook.
package registry
