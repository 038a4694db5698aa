-- The admin console and GET /admin/v1/audit filter the audit log by actor
-- ("admin:7"): what did this operator do, newest first.
CREATE INDEX audit_log_actor ON audit_log (actor, at);
