/**
 * Storage errors, the same on D1 and PostgreSQL. They stay in storage terms: a service decides what
 * a violation means (a taken username is a 409; an id collision is a bug and stays a logged 500).
 */
export class UniqueViolation extends Error {
  constructor(options?: { cause?: unknown }) {
    super("A record with the same unique value already exists", options);
    this.name = "UniqueViolation";
  }
}
