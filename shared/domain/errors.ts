/** A pagination cursor that does not belong to the query it was sent with (forged or foreign). */
export class InvalidCursorError extends Error {
  constructor() {
    super('Invalid cursor');
  }
}
