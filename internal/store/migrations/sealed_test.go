package migrations_test

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/store/migrations"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
)

// binaryColumns lists the migrated schema's binary columns as
// "table.column", and every column as a set.
func binaryColumns(t *testing.T, db *sql.DB, dialect string) (binary []string, all map[string]bool) {
	t.Helper()
	q := `SELECT table_name, column_name, data_type = 'bytea' FROM information_schema.columns WHERE table_schema = current_schema()`
	if dialect == migrations.SQLite {
		q = `SELECT m.name, p.name, upper(p.type) = 'BLOB' FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table'`
	}
	rows, err := db.QueryContext(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	all = map[string]bool{}
	for rows.Next() {
		var table, column string
		var isBinary bool
		if err := rows.Scan(&table, &column, &isBinary); err != nil {
			t.Fatal(err)
		}
		all[table+"."+column] = true
		if isBinary {
			binary = append(binary, table+"."+column)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return binary, all
}

// TestEverySealedColumnOfTheSchemaIsInTheRegistry holds the one registry
// of sealed columns (sqlstore.SealedColumns, what `gatehouse key
// rotate-master` re-seals) to the schema of both dialects: every binary
// column is either registered as sealed, with a key column that exists,
// or listed as holding no sealed secret; and every column named sealed is
// registered. A migration that adds a sealed column fails here until the
// registry names it.
func TestEverySealedColumnOfTheSchemaIsInTheRegistry(t *testing.T) {
	olderRelease(t, "", func(t *testing.T, db *sql.DB, dialect string, _ sqlstore.Dialect) {
		binary, all := binaryColumns(t, db, dialect)
		var sealed []string
		for _, c := range sqlstore.SealedColumns {
			sealed = append(sealed, c.String())
			if !all[c.String()] || !all[c.Table+"."+c.Key] {
				t.Errorf("registered %s (key %s) is not in the %s schema", c, c.Key, dialect)
			}
		}
		for _, col := range binary {
			if !slices.Contains(sealed, col) && !slices.Contains(sqlstore.NotSealed, col) {
				t.Errorf("binary column %s (%s) is neither a registered sealed column nor listed as holding no secret", col, dialect)
			}
		}
		for col := range all {
			if strings.Contains(col[strings.Index(col, ".")+1:], "sealed") && !slices.Contains(sealed, col) {
				t.Errorf("column %s (%s) is named sealed but not registered", col, dialect)
			}
		}
		for _, col := range sqlstore.NotSealed {
			if !slices.Contains(binary, col) {
				t.Errorf("%s is listed as holding no secret but is no binary column of the %s schema", col, dialect)
			}
		}
	})
}
