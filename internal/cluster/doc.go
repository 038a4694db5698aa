// Package cluster holds the test that runs several gatehouse processes on
// one PostgreSQL database and one Redis, as behind a load balancer, and
// proves what docs/operations.md and SECURITY.md promise of several nodes:
// sessions, revocations, locks, API keys, rate limits and lockout
// counters, one-time codes, signing keys and queued mail are the
// deployment's, not a node's. It needs both servers: it skips without
// them, and fails instead under GATEHOUSE_TEST_SERVICES=require (.ci/run).
package cluster
