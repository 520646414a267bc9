package minutes

import (
	"bytes"
	"testing"
)

// FuzzDecode checks the reading of a procès-verbal's stored snapshot (issue 18 point 3):
// any bytes are read without a panic, and what is read encodes to a snapshot that reads
// back to the same encoding.
func FuzzDecode(f *testing.F) {
	sample, err := Encode(&Minutes{})
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range [][]byte{sample, nil, []byte("{}"), []byte("null"), []byte(`{"Items":[{"Votes":null}]}`), []byte(`{"Items":"x"}`),
		[]byte(`[`), []byte(`{"Meeting":{"ID":-1}}`), bytes.Repeat([]byte("["), 10000)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, content []byte) {
		m, err := Decode(content)
		if err != nil {
			return
		}
		once, err := Encode(m)
		if err != nil {
			t.Fatalf("Encode(Decode(%q)): %v", content, err)
		}
		m2, err := Decode(once)
		if err != nil {
			t.Fatalf("Decode(Encode(Decode(%q))): %v", content, err)
		}
		twice, err := Encode(m2)
		if err != nil || !bytes.Equal(once, twice) {
			t.Fatalf("the snapshot of %q does not read back: %s\n≠ %s (%v)", content, once, twice, err)
		}
	})
}
