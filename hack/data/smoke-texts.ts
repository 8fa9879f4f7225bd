import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import type { CheckSample, ModelDeploymentSpec } from "../../crds/index.js";
import type { Label } from "./labels.js";

/**
 * Texts the default model is gated on by test/models/false-positives.test.ts: everyday text that
 * must pass and short abuse that must be caught, in new wordings. They live here, not in the test,
 * because training must keep them unseen: the training script drops generated phrasings that are
 * near-duplicates of them, and the test checks no training text equals one.
 */

export const BENIGN_SMOKE: Record<string, readonly string[]> = {
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
export const TOXIC_SMOKE: readonly { lang: string; text: string; label: Label }[] = [
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
export const FIRST_TRIES = ["hello", "Hello!", "hi", "thanks", "have a nice day"];

const QUALITY_GATE_FILE = fileURLToPath(
  new URL("../../config/samples/modeldeployment.yaml", import.meta.url),
);

/** The blue-green quality gate of the sample ModelDeployment: what a rollout of the default model must pass. */
export function qualityGateSamples(): CheckSample[] {
  const deployment = parse(readFileSync(QUALITY_GATE_FILE, "utf8")) as {
    spec: ModelDeploymentSpec;
  };
  return deployment.spec.strategy?.blueGreen?.checks?.samples ?? [];
}

/** Every text above: what training must never see. */
export function smokeAndGateTexts(): string[] {
  return [
    ...Object.values(BENIGN_SMOKE).flat(),
    ...TOXIC_SMOKE.map((t) => t.text),
    ...FIRST_TRIES,
    ...qualityGateSamples().map((s) => s.text),
  ];
}
