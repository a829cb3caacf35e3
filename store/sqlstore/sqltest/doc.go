// Package sqltest opens throw-away [github.com/latchkit/latch/store/sqlstore]
// databases for tests: an SQLite file in the test's temporary directory, or
// a fresh schema in the PostgreSQL database named by the LATCH_TEST_POSTGRES
// environment variable.
//
// Every database is removed when the test ends, after the stores opened on
// it are closed, so tests (and test packages) sharing one PostgreSQL server
// run in parallel without seeing each other's rows:
//
//	func TestSomething(t *testing.T) {
//		s := sqltest.Postgres(t) // skips when LATCH_TEST_POSTGRES is unset
//		...
//	}
//
// For two handles on one database (two service instances), open the DSN
// twice:
//
//	dsn := sqltest.OpenPostgresSchema(t)
//	a, b := sqltest.Open(t, dsn), sqltest.Open(t, dsn)
//
// # Running the PostgreSQL tests
//
// Set LATCH_TEST_POSTGRES to a postgres:// URL of a database the tests may
// create schemas in, for example
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable. Each test gets a
// schema named latch_t_<random>, dropped when the test ends.
package sqltest
