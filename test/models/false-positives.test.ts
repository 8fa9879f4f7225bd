import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import type {
  Action,
  CategoryThresholds,
  CheckSample,
  ModelDeploymentSpec,
  PolicySpec,
} from "../../crds/index.js";
import { loadExamples } from "../../hack/data/dataset.js";
import { LABELS, type Label } from "../../hack/data/labels.js";
import { isCategoryReason, PolicyEngine } from "../../runtime/policy/policy-engine.js";
import { loadModelDirectory, runLogits, sigmoid } from "./model-runner.js";

/**
 * What a user sees first: everyday text must pass the default model under both shipped Policies,
 * and clear abuse must still be caught. None of these texts is in hack/data (checked below), so
 * they test what the model learned, not what it memorised. They were written before the model was
 * retrained and are a regression gate, not a quality estimate: metrics.json carries the held-out numbers.
 */

const MODEL_DIR = "runtime/models/default";
const POLICY_FILES = ["runtime/default-policy.yaml", "config/samples/policy.yaml"] as const;

const BENIGN_SMOKE: Record<string, readonly string[]> = {
  en: [
    "hello",
    "Hi there!",
    "Good morning, everyone.",
    "How are you doing today?",
    "See you later!",
    "Where can I download my invoice?",
    "The app logs me out every time I switch tabs.",
    "lol that's hilarious 😂",
    "Meeting moved to 3pm, room 204.",
    "Check the docs at https://example.org/help",
    "ok",
    "👍",
  ],
  de: [
    "Hallo",
    "Guten Morgen, wie geht es dir?",
    "Servus, alles klar bei dir?",
    "Vielen Dank für deine Hilfe!",
    "Bis morgen!",
    "Wo finde ich meine Rechnung?",
    "Das Passwort lässt sich nicht zurücksetzen.",
    "Schönes Wochenende euch allen",
    "Ich bin um 18 Uhr zu Hause.",
  ],
  fr: [
    "Bonjour",
    "Salut, ça va ?",
    "Bonne soirée à tous !",
    "Merci beaucoup, c'est parfait.",
    "À demain !",
    "Comment puis-je changer mon adresse e-mail ?",
    "Ma commande n'est toujours pas arrivée.",
    "On se retrouve devant le cinéma ?",
    "Il fait beau aujourd'hui.",
  ],
  es: [
    "Hola",
    "Buenos días, ¿qué tal?",
    "¡Muchas gracias por todo!",
    "Hasta luego",
    "¿Dónde está la estación de tren?",
    "No puedo iniciar sesión en la aplicación.",
    "Feliz cumpleaños, amigo 🎉",
    "Nos vemos el viernes a las ocho.",
    "Me encanta este café.",
  ],
  pt: [
    "Olá",
    "Bom dia, tudo bem?",
    "Obrigado pela ajuda!",
    "Até amanhã",
    "Qual é o horário de funcionamento da loja?",
    "Meu pedido chegou danificado, como faço a troca?",
    "Que dia lindo hoje!",
    "Vou chegar um pouco atrasado.",
    "Parabéns pelo novo emprego!",
  ],
  it: [
    "Ciao",
    "Buongiorno a tutti!",
    "Come stai?",
    "Grazie mille, gentilissimo.",
    "A domani!",
    "Non riesco a scaricare la fattura.",
    "Dove si trova la fermata dell'autobus?",
    "Buon appetito!",
    "La riunione è spostata alle 15.",
  ],
  nl: [
    "Hallo allemaal",
    "Goedemorgen, hoe gaat het?",
    "Dank je wel voor je hulp!",
    "Tot morgen!",
    "Waar kan ik mijn bestelling volgen?",
    "De app crasht als ik een foto upload.",
    "Fijne dag nog!",
    "Ik ben er over tien minuten.",
    "Lekker weer vandaag.",
  ],
  pl: [
    "Cześć",
    "Dzień dobry, jak się masz?",
    "Dziękuję bardzo za pomoc!",
    "Do jutra!",
    "Gdzie mogę znaleźć fakturę?",
    "Nie mogę zalogować się do aplikacji.",
    "Miłego weekendu!",
    "Będę za dziesięć minut.",
    "Smacznego!",
  ],
};

/** Short, unambiguous abuse in new wordings; the label that must reach its flag threshold. */
const TOXIC_SMOKE: readonly { lang: string; text: string; label: Label }[] = [
  { lang: "en", text: "you are an idiot", label: "insult" },
  { lang: "en", text: "I will find you and hurt you", label: "threat" },
  { lang: "en", text: "I am going to kill you", label: "threat" },
  { lang: "de", text: "Du bist so ein Idiot", label: "insult" },
  { lang: "fr", text: "Tu es vraiment un idiot", label: "insult" },
  { lang: "es", text: "Eres un idiota", label: "insult" },
  { lang: "pt", text: "Você é um idiota", label: "insult" },
  { lang: "it", text: "Sei proprio un idiota", label: "insult" },
  { lang: "nl", text: "Jij bent een idioot", label: "insult" },
  { lang: "pl", text: "Jesteś totalnym idiotą", label: "insult" },
];

/** Texts the product promises to allow out of the box (README, `npm start`). */
const FIRST_TRIES = ["hello", "Hello!", "hi", "thanks", "have a nice day"];

function readPolicy(file: string): PolicySpec {
  return (parse(readFileSync(file, "utf8")) as { spec: PolicySpec }).spec;
}

/** The lowest threshold any action has for a label, over every Policy and language override. */
function lowestThresholds(specs: readonly PolicySpec[]): Record<Label, number> {
  const lowest = Object.fromEntries(LABELS.map((l) => [l, 1])) as Record<Label, number>;
  const consider = (categories: Record<string, CategoryThresholds> | undefined) => {
    for (const label of LABELS) {
      for (const threshold of Object.values(categories?.[label] ?? {})) {
        if (typeof threshold === "number") lowest[label] = Math.min(lowest[label], threshold);
      }
    }
  };
  for (const spec of specs) {
    consider(spec.categories);
    for (const override of Object.values(spec.languages ?? {})) consider(override.categories);
  }
  return lowest;
}

/**
 * Comparable form of a text: case, accents, punctuation and spacing do not make it new. A text of
 * symbols only ("👍") is compared as written.
 */
function comparable(text: string): string {
  const words = text
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
  return words === "" ? text.trim() : words;
}

function qualityGateSamples(): CheckSample[] {
  const deployment = parse(readFileSync("config/samples/modeldeployment.yaml", "utf8")) as {
    spec: ModelDeploymentSpec;
  };
  return deployment.spec.strategy?.blueGreen?.checks?.samples ?? [];
}

describe("default model on everyday and abusive text", () => {
  const policies = POLICY_FILES.map((file) => ({
    file,
    engine: new PolicyEngine(readPolicy(file), LABELS),
  }));
  const thresholds = lowestThresholds(POLICY_FILES.map(readPolicy));
  let model: Awaited<ReturnType<typeof loadModelDirectory>>;
  const score = async (texts: readonly string[]) =>
    (
      await runLogits(
        model.session,
        texts.map((t) => model.tokenizer.encode(t).ids),
      )
    ).map((row) => Object.fromEntries(LABELS.map((label, l) => [label, sigmoid(row[l] ?? NaN)]))) as Record<
      Label,
      number
    >[];

  beforeAll(async () => {
    model = await loadModelDirectory(MODEL_DIR);
  });
  afterAll(async () => {
    await model.session.release();
  });

  it("uses smoke texts that are not in the training data, at least 60 benign ones in 8 languages", () => {
    const benign = Object.values(BENIGN_SMOKE).flat();
    expect(benign.length).toBeGreaterThanOrEqual(60);
    expect(Object.keys(BENIGN_SMOKE).sort()).toEqual(["de", "en", "es", "fr", "it", "nl", "pl", "pt"]);
    const trained = new Set(loadExamples().map((e) => comparable(e.text)));
    const gate = qualityGateSamples().map((s) => s.text);
    for (const text of [...benign, ...TOXIC_SMOKE.map((t) => t.text), ...FIRST_TRIES, ...gate]) {
      expect(trained.has(comparable(text)), `"${text}" is in hack/data`).toBe(false);
    }
    // Sanity of the threshold reading: both files define every label.
    for (const label of LABELS) expect(thresholds[label], label).toBeLessThan(1);
  });

  it("scores every benign smoke text below the lowest threshold of both Policies, on every label", async () => {
    const texts = [...Object.values(BENIGN_SMOKE).flat(), ...FIRST_TRIES];
    const scores = await score(texts);
    const failures = texts.flatMap((text, i) =>
      LABELS.filter((label) => (scores[i]?.[label] ?? 1) >= thresholds[label]).map(
        (label) => `"${text}": ${label} ${scores[i]?.[label].toFixed(3)} >= ${thresholds[label]}`,
      ),
    );
    expect(failures).toEqual([]);
    for (const [i, text] of texts.entries()) {
      for (const { file, engine } of policies) {
        const lang = Object.entries(BENIGN_SMOKE).find(([, list]) => list.includes(text))?.[0] ?? "en";
        expect(engine.decide(scores[i] ?? {}, text, lang).action, `${text} under ${file}`).toBe("allow");
      }
    }
  });

  it("still catches short abuse: the expected label reaches its flag threshold and nothing allows it", async () => {
    const scores = await score(TOXIC_SMOKE.map((t) => t.text));
    TOXIC_SMOKE.forEach(({ lang, text, label }, i) => {
      const labelScores = scores[i] ?? ({} as Record<Label, number>);
      expect(labelScores[label], `${label} for "${text}"`).toBeGreaterThanOrEqual(0.5);
      for (const { file, engine } of policies) {
        expect(engine.decide(labelScores, text, lang).action, `${text} under ${file}`).not.toBe("allow");
      }
    });
  });

  it("passes the quality gate of config/samples/modeldeployment.yaml under config/samples/policy.yaml", async () => {
    const samples = qualityGateSamples();
    expect(samples.map((s) => s.text)).toEqual([
      "have a nice day",
      "thanks for the help, see you tomorrow",
      "I will find you and hurt you",
    ]);
    const engine = new PolicyEngine(readPolicy("config/samples/policy.yaml"), LABELS);
    const scores = await score(samples.map((s) => s.text));
    samples.forEach(({ text, expect: expected }, i) => {
      const decision = engine.decide(scores[i] ?? {}, text, samples[i]?.language ?? "en");
      expect(decision.action, text).toBe(expected.action as Action);
      const atThatAction = decision.reasons
        .filter(isCategoryReason)
        .filter((r) => r.action === decision.action)
        .map((r) => r.category);
      for (const category of expected.categories ?? []) expect(atThatAction, text).toContain(category);
    });
  });
});
