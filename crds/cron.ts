// The five-field cron syntax of a CronJob schedule (robfig/cron's standard parser, which the
// CronJob controller uses) as one regular expression with each field's range, so `0 24 * * *`
// is refused at admission instead of by the CronJob the operator renders. Month and weekday
// names are accepted in lower, upper and capitalised case (robfig also takes mixed case).
// Not checked: a range whose start is past its end (`5-2`).

const number = (pattern: string) => `(${pattern})`;
const names = (list: string[]) =>
  list.flatMap((n) => [n, n.toUpperCase(), n[0]!.toUpperCase() + n.slice(1)]).join("|");

function field(value: string, wildcards = "\\*"): string {
  const range = `${value}(-${value})?`;
  const item = `((${wildcards})|${range})(/[1-9][0-9]*)?`;
  return `${item}(,${item})*`;
}

const MINUTE = number("[0-5]?[0-9]");
const HOUR = number("[01]?[0-9]|2[0-3]");
const DAY_OF_MONTH = number("0?[1-9]|[12][0-9]|3[01]");
const MONTH = number(
  `0?[1-9]|1[0-2]|${names(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])}`,
);
const DAY_OF_WEEK = number(`[0-7]|${names(["sun", "mon", "tue", "wed", "thu", "fri", "sat"])}`);

/** Whole-string pattern; RE2 and JavaScript read it the same (no escapes beyond `\*`, `\s`). */
export const CRON_SCHEDULE_PATTERN =
  "^\\s*" +
  [
    field(MINUTE),
    field(HOUR),
    field(DAY_OF_MONTH, "\\*|\\?"),
    field(MONTH),
    field(DAY_OF_WEEK, "\\*|\\?"),
  ].join("\\s+") +
  "\\s*$";
