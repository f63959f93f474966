/** The signed, hash-chained audit log each party keeps: the whole public surface. */
export { entryHash, GENESIS_PREV, GENESIS_TYPE, type AuditEntry, type AuditErrorCode } from './audit-entry';
export { AuditLog, type AuditLogOptions } from './audit-log';
export { verifyAuditFile, verifyAuditLog, type AuditProblem, type AuditProblemKind, type AuditVerification, type VerifyAuditOptions } from './verify-audit-log';
export { formatAuditData, formatAuditEntry, formatVerification } from './format-audit-entry';
