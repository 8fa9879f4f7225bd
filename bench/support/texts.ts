// Moderation-like texts of mixed length and language for load generation. Requests cycle over
// them, so batches see realistic padding (short and long texts together).
export const BENCH_TEXTS: readonly string[] = [
  "you are an idiot",
  "thanks for the help, have a great weekend!",
  "I will find you and hurt you, I know where you live",
  "this is the best tutorial I have read on the topic, clear and well written",
  "shut up, nobody asked for your stupid opinion",
  "Can someone explain why the build fails on arm64? The log says the linker cannot find libssl.",
  "Du bist ein Vollidiot und solltest dich schämen",
  "Merci beaucoup pour votre réponse rapide et détaillée",
  "go back to where you came from, people like you ruin everything",
  "the meeting is moved to Thursday at 10am, same room as last week",
  "lol that was hilarious",
  "Eres un idiota, no sabes nada de este tema y sigues hablando como si fueras experto",
  "I feel like nobody would notice if I disappeared",
  "great product, fast delivery, would buy again",
  "if you post that again I will report your account and make sure you get banned for good",
  "what time does the store open on Sundays?",
];

export function classifyBody(i: number): string {
  return JSON.stringify({ text: `${BENCH_TEXTS[i % BENCH_TEXTS.length]} #${i}` });
}
