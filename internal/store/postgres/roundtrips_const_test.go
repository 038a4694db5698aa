package postgres_test

// signInStatements is the most a warm platform sign-in may send.
const signInStatements = 4
