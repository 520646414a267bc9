// Package registry writes the commission's composition to an Excel workbook and reads
// one back for import. It knows nothing of the web: the handlers pass a writer or the
// uploaded file, and models.PreviewImport / models.ApplyImport do the rest.
package registry

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"seance/models"
	registrymodel "seance/models/registry"
)

// SheetName is the name of the composition sheet.
const SheetName = "Composition"

// MaxImportRows bounds the rows read from an imported workbook.
const MaxImportRows = registrymodel.MaxImportRows

// Unzip limits of an imported workbook: a composition of MaxImportRows rows takes a few
// hundred kilobytes once unzipped, while a hostile file of 1 MB can expand to gigabytes.
const (
	MaxImportUnzipBytes    = 32 << 20 // the whole workbook, unzipped
	MaxImportUnzipXMLBytes = 16 << 20 // one sheet or the shared strings, kept in memory
)

// unreadable refuses a file that is not a readable workbook (or lies about its sizes).
func unreadable() error {
	return models.FieldErrors{"file": "Ce fichier n'est pas un classeur Excel (.xlsx) lisible."}.Err()
}

// unzippedSize returns the total unzipped size that the zip archive data declares.
// The declared sizes may lie: excelize's limits then stop the reading.
func unzippedSize(data []byte) (uint64, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return 0, err
	}
	var n uint64
	for _, f := range zr.File {
		n += f.UncompressedSize64
	}
	return n, nil
}

// column is one column of the workbook: its header and width.
type column struct {
	header string
	width  float64
}

// The columns of the composition workbook, in order; the import finds them by header.
var columns = []column{
	{"Catégorie", 44}, {"Organisme", 36}, {"Qualité", 44}, {"Rôle", 12}, {"Nom", 26},
	{"E-mail", 32}, {"Début du mandat", 16}, {"Fin du mandat", 16}, {"Arrêté de nomination", 34}, {"Voix délibérative", 18},
}

// Column indexes, matching columns.
const (
	colCategory = iota
	colOrganisation
	colQuality
	colRole
	colName
	colEmail
	colStartsOn
	colTermEndsOn
	colArrete
	colVoting
)

// Headers returns the column headers of the composition workbook, in order.
func Headers() []string {
	out := make([]string, len(columns))
	for i, c := range columns {
		out[i] = c.header
	}
	return out
}

// CategoryCell is how a category is written: its number, then its label.
func CategoryCell(c registrymodel.SeatCategory) string {
	return strconv.Itoa(int(c)) + " - " + c.Label()
}

// WriteComposition writes rows as a workbook with one sheet: a bold, frozen header row,
// set column widths and dates as real dates (dd/mm/yyyy).
func WriteComposition(w io.Writer, rows []registrymodel.CompositionRow) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", SheetName); err != nil {
		return fmt.Errorf("composition workbook: %w", err)
	}
	header, err := f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDE4EE"}},
		Alignment: &excelize.Alignment{Vertical: "center", WrapText: true},
	})
	if err != nil {
		return fmt.Errorf("composition workbook: %w", err)
	}
	dateFmt := "dd/mm/yyyy"
	date, err := f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt})
	if err != nil {
		return fmt.Errorf("composition workbook: %w", err)
	}
	sw, err := f.NewStreamWriter(SheetName)
	if err != nil {
		return fmt.Errorf("composition workbook: %w", err)
	}
	for i, c := range columns {
		if err := sw.SetColWidth(i+1, i+1, c.width); err != nil {
			return fmt.Errorf("composition workbook: %w", err)
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return fmt.Errorf("composition workbook: %w", err)
	}
	cells := make([]any, len(columns))
	for i, c := range columns {
		cells[i] = excelize.Cell{StyleID: header, Value: c.header}
	}
	if err := sw.SetRow("A1", cells); err != nil {
		return fmt.Errorf("composition workbook: %w", err)
	}
	for n, r := range rows {
		voting := "Non"
		if r.VotingRight {
			voting = "Oui"
		}
		cells := []any{
			CategoryCell(r.Category), r.Organisation, r.Quality, r.Kind.Label(), r.Name, r.Email,
			excelize.Cell{StyleID: date, Value: day(r.StartsOn)}, excelize.Cell{StyleID: date, Value: day(r.TermEndsOn)},
			r.ArreteRef, voting,
		}
		cell, _ := excelize.CoordinatesToCellName(1, n+2)
		if err := sw.SetRow(cell, cells); err != nil {
			return fmt.Errorf("composition workbook: %w", err)
		}
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("composition workbook: %w", err)
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("composition workbook: %w", err)
	}
	return nil
}

// day returns the date of t (stored as midnight UTC) as a wall-clock date, which is
// what excelize writes.
func day(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// ParseComposition reads the first sheet of an uploaded workbook with the export's
// columns (found by header, in any order) into import rows, one per non-empty line.
// Unreadable dates become row errors. A file that is not a workbook, expands beyond
// the unzip limits, lacks a column or has too many lines (blank ones included) gives
// models.FieldErrors keyed "file".
func ParseComposition(r io.Reader) ([]registrymodel.ImportRow, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read composition: %w", err)
	}
	size, err := unzippedSize(data)
	if err != nil {
		return nil, unreadable()
	}
	if size > MaxImportUnzipBytes {
		return nil, models.FieldErrors{"file": fmt.Sprintf("Ce classeur dépasse %d Mo une fois décompressé : ce n'est pas une composition.", MaxImportUnzipBytes>>20)}.Err()
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit: MaxImportUnzipBytes, UnzipXMLSizeLimit: MaxImportUnzipXMLBytes,
	})
	if err != nil {
		return nil, unreadable()
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, models.FieldErrors{"file": "Le classeur ne contient aucune feuille."}.Err()
	}
	date1904 := false
	if props, err := f.GetWorkbookProps(); err == nil && props.Date1904 != nil {
		date1904 = *props.Date1904
	}
	// From here, a read error is the file's: a damaged or lying archive.
	it, err := f.Rows(sheets[0])
	if err != nil {
		return nil, unreadable()
	}
	defer it.Close()
	var (
		index []int // workbook column of each of columns, -1 when absent
		out   []registrymodel.ImportRow
		line  int
	)
	for it.Next() {
		line++
		if line > MaxImportRows+1 { // the header, then the rows
			return nil, models.FieldErrors{"file": fmt.Sprintf("Le fichier compte plus de %d lignes.", MaxImportRows)}.Err()
		}
		cells, err := it.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, unreadable()
		}
		if index == nil {
			if index, err = headerIndex(cells); err != nil {
				return nil, err
			}
			continue
		}
		if blank(cells) {
			continue
		}
		out = append(out, readRow(line, cells, index, date1904))
	}
	if err := it.Error(); err != nil {
		return nil, unreadable()
	}
	if index == nil {
		return nil, models.FieldErrors{"file": "La feuille est vide : la première ligne doit porter les titres des colonnes."}.Err()
	}
	return out, nil
}

// headerIndex finds the columns by their header, ignoring case and spaces; the end of
// term and the voting right may be left out.
func headerIndex(cells []string) ([]int, error) {
	index := make([]int, len(columns))
	for i, c := range columns {
		index[i] = -1
		for j, h := range cells {
			if strings.EqualFold(strings.Join(strings.Fields(h), " "), c.header) {
				index[i] = j
			}
		}
		if index[i] == -1 && i != colTermEndsOn && i != colVoting {
			return nil, models.FieldErrors{"file": "La colonne « " + c.header + " » manque : utilisez les colonnes de l'export de la composition."}.Err()
		}
	}
	return index, nil
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

func readRow(line int, cells []string, index []int, date1904 bool) registrymodel.ImportRow {
	get := func(col int) string {
		if j := index[col]; j >= 0 && j < len(cells) {
			return strings.TrimSpace(cells[j])
		}
		return ""
	}
	r := registrymodel.ImportRow{
		Line: line, Category: get(colCategory), Organisation: get(colOrganisation), Quality: get(colQuality),
		Role: get(colRole), Name: get(colName), Email: get(colEmail), ArreteRef: get(colArrete), VotingRight: get(colVoting),
		Errors: models.FieldErrors{},
	}
	for _, d := range []struct {
		col   int
		field string
		into  *time.Time
	}{{colStartsOn, "starts_on", &r.StartsOn}, {colTermEndsOn, "term_ends_on", &r.TermEndsOn}} {
		s := get(d.col)
		if s == "" {
			continue
		}
		t, err := parseDate(s, date1904)
		if err != nil {
			r.Errors.Add(d.field, "Date illisible : « "+s+" » (attendu jj/mm/aaaa).")
			continue
		}
		*d.into = t
	}
	return r
}

// parseDate reads a date cell: an Excel serial number, or text as 15/09/2025 or 2025-09-15.
func parseDate(s string, date1904 bool) (time.Time, error) {
	if n, err := strconv.ParseFloat(s, 64); err == nil {
		if n < 1 || n > 2958465 {
			return time.Time{}, errors.New("date out of range")
		}
		t, err := excelize.ExcelDateToTime(n, date1904)
		if err != nil {
			return time.Time{}, err
		}
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), nil
	}
	for _, layout := range []string{"02/01/2006", "2/1/2006", "2006-01-02", "02-01-2006", "02.01.2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("unreadable date %q", s)
}
