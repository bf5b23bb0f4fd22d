// Record ids are UUIDs. A path or query id that is not one names nothing: callers answer 404
// without asking the database (which would otherwise fail on the cast).
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(id: string): boolean {
  return UUID.test(id);
}
