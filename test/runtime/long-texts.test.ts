// Long texts are judged whole: past the model's limit a text is scored in overlapping windows
// and each label keeps its highest window score, so an insult after pages of benign text is
// still seen. With windows off (VIGIL_MAX_WINDOWS=1) the same text is truncated and passes.
// The default model sums evidence over its whole input, so benign context dilutes an insult
// even inside one window; the test uses 24-token windows (VIGIL_WINDOW_TOKENS) to show the
// mechanism. A transformer's windows are its full limit by default.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningRuntime } from "../../runtime/server/start.js";
import { metricValue, postJson, startTestRuntime } from "./support/runtime.js";

const BENIGN =
  "The committee met on Tuesday to review the budget for the new library wing and agreed to publish the minutes next week. ";
const benignPages = BENIGN.repeat(Math.ceil(2000 / BENIGN.length));
const insult = "You are a worthless idiot and everyone hates you.";
const longText = `${benignPages}${insult}`;

let windowed: RunningRuntime;
let truncating: RunningRuntime;
/** 64 windows of 96 tokens: room for the ~9k-character text below. */
let wide: RunningRuntime;

beforeAll(async () => {
  [windowed, truncating, wide] = await Promise.all([
    startTestRuntime({ VIGIL_MAX_WINDOWS: "64", VIGIL_WINDOW_TOKENS: "24" }),
    startTestRuntime({ VIGIL_MAX_WINDOWS: "1" }),
    startTestRuntime({ VIGIL_MAX_WINDOWS: "64", VIGIL_WINDOW_TOKENS: "96" }),
  ]);
});
afterAll(async () => {
  await Promise.all([windowed, truncating, wide].map((runtime) => runtime?.stop({ drainDelay: false })));
});

describe("texts longer than the model's limit", () => {
  it("sees an insult after 2k benign characters", async () => {
    const alone = await postJson(windowed, "/v1/classify", { text: insult });
    const whole = await postJson(windowed, "/v1/classify", { text: longText });
    expect(whole.status).toBe(200);
    const insultScore = alone.body.results[0].scores.insult as number;
    expect(insultScore).toBeGreaterThan(0.5);
    // The window holding the insult scores like the insult on its own (minus context).
    expect(whole.body.results[0].scores.insult).toBeGreaterThan(0.5);
    expect(whole.body.results[0].decision.action).not.toBe("allow");
  });

  it("misses it when windows are off, which is why they are on by default", async () => {
    const whole = await postJson(truncating, "/v1/classify", { text: longText });
    expect(whole.status).toBe(200);
    expect(whole.body.results[0].scores.insult).toBeLessThan(0.5);
  });

  it("counts windows per text in vigil_windows_per_text", async () => {
    const scoredInWindows = await metricValue(windowed, 'vigil_windows_per_text_bucket{le="1"}');
    const all = await metricValue(windowed, "vigil_windows_per_text_count");
    expect(all).toBeGreaterThan(scoredInWindows ?? 0);
  });

  it("says which window decided each label: an insult after ~9k benign characters is located", async () => {
    const before = BENIGN.repeat(Math.ceil(9000 / BENIGN.length));
    // Twice: in a 96-token window the default model's benign context outweighs one insult
    // sentence, every window scores near 0 and the shortest (the text's end) ranks first.
    const text = `${before}${insult} ${insult} ${BENIGN.repeat(8)}`;
    const res = await postJson(wide, "/v1/classify", { text });
    expect(res.status).toBe(200);
    const { windows } = res.body.results[0];
    expect(windows.count).toBeGreaterThan(30);
    expect(Object.keys(windows.categories)).toEqual(Object.keys(res.body.results[0].scores));
    const located = windows.categories.insult;
    expect(located.start).toBeLessThanOrEqual(before.length);
    expect(located.end).toBeGreaterThanOrEqual(before.length + insult.length);
    expect(located.end - located.start).toBeLessThan(600);
    // Cut out by the offsets (ASCII here, so code points are string indices), it holds the insult.
    expect(text.slice(located.start, located.end)).toContain(insult);
    expect(located.index).toBeGreaterThan(windows.count / 2);
    expect(located.index).toBeLessThan(windows.count - 1);
  });

  it("leaves windows out for a text that fits the model's limit", async () => {
    const res = await postJson(wide, "/v1/classify", { text: insult });
    expect(res.body.results[0]).not.toHaveProperty("windows");
  });

  it("keeps a short text's scores exactly as without windows", async () => {
    const text = "have a nice day, you idiot";
    const a = await postJson(windowed, "/v1/classify", { text });
    const b = await postJson(truncating, "/v1/classify", { text });
    expect(a.body.results[0].scores).toEqual(b.body.results[0].scores);
  });
});
