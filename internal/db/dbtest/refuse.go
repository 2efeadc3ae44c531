package dbtest

import (
	"strings"
	"testing"

	"github.com/tend-health/tend/internal/db"
)

// RefuseAudit makes d refuse to store an audit event whose column equals
// value, as a database fault would, so that tests can see where the error
// goes. column is a column name written by the test, not outside input.
func RefuseAudit(t testing.TB, d *db.DB, column, value string) {
	t.Helper()
	lit := "'" + strings.ReplaceAll(value, "'", "''") + "'"
	qs := []string{`CREATE TRIGGER audit_test_refuse BEFORE INSERT ON audit_events
		WHEN NEW.` + column + ` = ` + lit + ` BEGIN SELECT RAISE(ABORT, 'refused by test'); END`}
	if d.Dialect == db.Postgres {
		qs = []string{`CREATE FUNCTION audit_test_refuse() RETURNS trigger AS $f$
			BEGIN IF NEW.` + column + ` = ` + lit + ` THEN RAISE EXCEPTION 'refused by test'; END IF; RETURN NEW; END;
			$f$ LANGUAGE plpgsql`,
			`CREATE TRIGGER audit_test_refuse BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION audit_test_refuse()`}
	}
	for _, q := range qs {
		if _, err := d.W.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
}
