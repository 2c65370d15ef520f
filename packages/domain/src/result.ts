/** A value or a reason, for rules whose failure is an expected answer rather than a bug. */
export type Result<T, E = { code: string; message: string }> = ({ ok: true } & T) | ({ ok: false } & E);

export interface Problem {
  code: string;
  message: string;
}
