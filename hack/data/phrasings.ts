import type { Label } from "./labels.js";

/**
 * Phrasing patterns the training script expands into labelled examples
 * (phrasing-augmentation.ts). `{a|b|c}` is an alternation: "{I'll|I'm gonna} {hurt|kill} you"
 * stands for four texts; an empty option (`{| tonight}`) makes a part optional.
 *
 * Why: a bag of word pieces learns "hurt you" is a threat only from enough texts that say so in
 * different words, and learns "I'm going to ... you" is not one only from enough friendly plans
 * of the same shape. The hand-written examples have a few of each; these systematically cross
 * subjects, tenses, verbs, targets and time phrases, and pair every harmful shape with clean texts
 * built from the same frame words (plans with "I'm going to ... you", idioms and compliments that
 * use violent words: "you killed it", "break a leg", "I could murder a pizza"), so that the frame
 * words carry no evidence and the verb and its target do.
 *
 * Kept out on purpose: "idiot" and its translations (the hand-written data has them, and the smoke
 * set of test/models/false-positives.test.ts is built on them), and texts close to any evaluation
 * text: the augmentation drops near-duplicates of hack/data/heldout, the held-out split and the
 * smoke and quality-gate texts (hack/data/near-duplicates.ts).
 */
export interface LanguagePhrasings {
  /** Physical harm to the reader or their people: threat + violence + toxicity. */
  threats: string[];
  /** Intimidation without a stated physical harm: threat + toxicity. */
  intimidation: string[];
  /** Demeaning the reader: insult + toxicity. */
  insults: string[];
  /** The writer's own suicidal or self-injuring intent. */
  selfHarm: string[];
  /** News-style descriptions of physical harm to third parties: violence only. */
  violence: string[];
  /**
   * Friendly plans in the threats' shape (subject, tense, "you"/"your family", time phrase),
   * greetings with the same time phrases ("see you tomorrow"), and everyday news and phrases with
   * the frames of the violence and intimidation patterns ("police said", "got your back"): clean.
   */
  plans: string[];
  /** Idioms, banter and compliments that use violent or crude words: clean. */
  idioms: string[];
}

export const PHRASING_LABELS: Record<keyof LanguagePhrasings, Label[]> = {
  threats: ["toxicity", "threat", "violence"],
  intimidation: ["toxicity", "threat"],
  insults: ["toxicity", "insult"],
  selfHarm: ["self_harm"],
  violence: ["violence"],
  plans: [],
  idioms: [],
};

export const PHRASINGS: Record<string, LanguagePhrasings> = {
  en: {
    threats: [
      "{I will|I'll|I'm going to|I'm gonna|im gonna|imma|I'm about to|I'm coming to|We will|We're going to|We'll|My brother will|My friends are going to|Someone's going to} {hurt|kill|stab|shoot|strangle|beat|punch|murder|choke|cut} {you|your family|your kids|your wife|your mom|your children|your little sister|u|ya|all of you}{| tonight| tomorrow| badly| slowly| one day| soon| when you least expect it| if you show up again| after school| so bad| for real}",
      "{I'll|I'm going to|I'm gonna|We will|We'll} find you and {hurt|kill|beat|stab|shoot|choke} you{| tonight| I promise| one day| slowly}",
      "{I'll|I will|I'm going to|I'm gonna|We'll} {break your legs|smash your face|bash your head in|put you in the hospital|put a bullet in you|beat you to death|burn your house down|slit your throat|cut you up|make you bleed}{| tonight| if you say that again| one of these days| I swear}",
      "{You're|You are|Ur} {dead|going to die|gonna die|a dead man}{| tonight| soon| when I find you| I swear}",
      "{If|When|Next time} I {see|catch|find} you {again|tomorrow|outside|here}, {I'll|I will|I'm going to|I'm gonna} {kill|hurt|stab|beat|shoot} you",
    ],
    intimidation: [
      "{I know|We know} where you {live|work|sleep}{| and I'm coming| and we're coming for you| so watch out}",
      "{Watch your back|Sleep with one eye open|You'll regret this|You're going to regret this|You will pay for this}{| tonight| I promise| loser}",
      "{I will|I'm going to|I'm gonna|I'll} {come for you|make you pay|make your life hell|ruin you|end you|get you}{| tonight| one day| soon}",
    ],
    insults: [
      "{You're|You are|Ur|You r} {such a|a complete|a total|an absolute|a pathetic|a worthless} {moron|loser|clown|failure|joke|waste of space|dumbass}{| and everyone knows it| shut up}",
      "{Shut up|Shut your mouth|Get lost|Nobody asked}, {you|u} {moron|loser|clown|dumbass|pathetic freak|brainless fool}",
      "{You|You're|You are} {so stupid|so dumb|so ugly|pathetic|worthless|useless|brainless}{| and nobody likes you| just leave}",
      "{Nobody|No one} {likes|cares about|wants} you, {you|u} {loser|moron|freak|clown}",
    ],
    selfHarm: [
      "{I want to|I'm going to|I'm gonna|I will} {kill myself|end my life|end it all|hurt myself}{| tonight| soon| I can't take it anymore}",
      "{I don't want to|I can't} {live anymore|go on anymore|keep living}{| tonight| honestly}",
    ],
    violence: [
      "{The gunman|A man|The attacker|Two men|A suspect|The robbers} {shot|stabbed|beat|attacked|killed|injured} {a security guard|a passer-by|his neighbour|two people|the driver|a shop owner}{| last night| on Friday| outside the station| before fleeing}",
      "{Police said|Witnesses said|According to reports,} {a woman|a teenager|a cashier|an officer} was {shot|stabbed|beaten|badly injured} {during a robbery|in a fight|near the park|at a bus stop}",
    ],
    plans: [
      "{I will|I'll|I'm going to|I'm gonna|im gonna|imma|I'm about to|I'm coming to|We will|We're going to|We'll|My brother will|My friends are going to|Someone's going to} {call|help|visit|text|meet|pick up|hug|thank|invite|email|remind|drive} {you|your family|your kids|your wife|your mom|your children|your little sister|u|ya|all of you}{| tonight| tomorrow| soon| one day| after school| later| at noon| this weekend| for real}",
      "{I will|I'll|I'm going to|I'm gonna} {miss|love|cheer for|wait for} you{| so much| tonight| forever| always}",
      "{I'll|I will|I'm going to|I'm gonna} find {your phone|your charger|the file|a solution|you a seat|you a good doctor|the receipt}{| tonight| tomorrow| for you}",
      "{I'll|We'll|We're going to|We will} {beat|crush|destroy|kill} {the other team|the record|the deadline|this exam|the bug|the old process}{| tomorrow| in the final| next week}",
      "{If|When|Next time} I {see|catch|find} you {again|tomorrow|outside|here}, {I'll|I will|I'm going to} {buy you a coffee|say hi|give you the book|tell you everything}",
      "{You're|You are} going to {love|enjoy|like} {it|this|the show|the new place}{| I promise| tonight}",
      "{See you|Talk to you|Catch you} {tomorrow|tonight|soon|on Monday|next week|later}{| everyone| all}",
      "{The driver|A man|Two men|A neighbour|The shop owner|A teenager} {found|returned|donated|sold|repaired} {a wallet|the bike|food|two tickets|an old piano}{| last night| on Friday| outside the station}",
      "{Police said|Witnesses said|According to reports,} {the road|the station|the museum|the bridge} {will reopen tomorrow|was closed for repairs|is open again}",
      "{I'll|I will|Let me} get back to you{| tomorrow| soon| on that}",
      "{I know|I see|I understand} where you're coming from{| honestly}",
      "{I've|We've} got your back{| always| no matter what}",
    ],
    idioms: [
      "{You|You guys|She|He|We} {killed it|nailed it|slayed|crushed it|smashed it|knocked it out of the park}{| tonight| yesterday| at the show| on stage| today}",
      "{You're|You are} killing it{| today| at work| lately| out there}",
      "{This|That|Your} {joke|video|story|show} {kills me|killed me|is killing me|is to die for}",
      "{I could|I would} {murder|kill for} a {pizza|coffee|beer|sandwich|steak}{| right now| after work}",
      "Break a leg{| tonight| out there| on opening night| at the show}",
      "{I'm|I am} dying {of laughter|to know|to try it|of boredom}",
      "My {feet are|legs are|back is} killing me{| today| after work}",
      "{That|This} {song|car|trick|beat} is {sick|insane|deadly|lethal|killer}",
      "{You're|You are} {a lifesaver|a legend|a beast|a genius|a star|the best|an angel}{| thanks so much| thank you| honestly}",
      "{Thanks|Thank you|Thanks so much} for {the ride|the advice|covering for me|the gift}, you're {a lifesaver|the best|amazing|a star}",
      "{Let's|We can} kill {some time|an hour} at the {mall|cafe|park}",
      "Knock {them|em} dead{| tonight| tomorrow}",
    ],
  },
  de: {
    threats: [
      "{Ich werde|Wir werden|Mein Bruder wird|Ich will}{| heute Nacht| morgen| bald| eines Tages} {dich|deine Familie|deine Kinder|deine Frau|deine Mutter|euch alle} {umbringen|töten|verletzen|abstechen|erschießen|verprügeln|erwürgen}{|, wenn du es am wenigsten erwartest}",
      "{Ich bringe|Ich bring} dich {um|heute noch um|morgen um}{|, versprochen| du Penner}",
      "{Ich schlag|Ich schlage} dich{| heute Nacht| morgen} {tot|zusammen|krankenhausreif}",
      "Ich {finde|kriege} dich und {bringe dich um|tu dir weh|steche dich ab}",
      "{Ich werde|Ich will} dir{| heute Nacht| morgen| bald} {wehtun|weh tun|die Beine brechen|das Gesicht zertrümmern}",
      "Du bist {tot|ein toter Mann|bald tot}{| heute Nacht| wenn ich dich finde}",
      "Wenn ich dich {sehe|erwische|finde}, {bringe ich dich um|tu ich dir weh|schlag ich dich zusammen}",
    ],
    intimidation: [
      "Ich weiß, wo du {wohnst|arbeitest|schläfst}{| und ich komme|, pass bloß auf}",
      "{Pass bloß auf|Das wirst du bereuen|Dafür wirst du bezahlen}{|, versprochen| heute Nacht}",
      "Ich {werde|will} dich{| heute Nacht| eines Tages} {fertig machen|zerstören|kriegen}{|, versprochen}",
    ],
    insults: [
      "Du bist {so ein|ein} {Versager|Trottel|Loser|Vollpfosten|Penner}{| und alle wissen es|, halt die Klappe}",
      "Du bist so {dumm|hässlich|erbärmlich|nutzlos|wertlos}{|, verschwinde| und keiner mag dich}",
      "{Halt die Klappe|Verpiss dich|Halt's Maul}, du {Trottel|Versager|Penner|Vollpfosten}",
    ],
    selfHarm: [
      "Ich {will|werde} mich {umbringen|heute Nacht umbringen}{|, ich kann nicht mehr}",
      "Ich will {nicht mehr leben|sterben|allem ein Ende setzen}{| heute Nacht|, ich kann nicht mehr}",
    ],
    violence: [
      "{Der Täter|Ein Mann|Der Angreifer|Zwei Männer|Ein Verdächtiger|Die Räuber} {erschoss|erstach|verprügelte|verletzte|tötete} {einen Wachmann|einen Passanten|seinen Nachbarn|zwei Menschen|den Fahrer}{| gestern Abend| am Freitag| vor dem Bahnhof}",
      "{Laut Polizei|Zeugen zufolge} wurde {eine Frau|ein Jugendlicher|ein Kassierer|ein Beamter} {erschossen|erstochen|zusammengeschlagen|schwer verletzt}",
    ],
    plans: [
      "{Ich werde|Wir werden|Mein Bruder wird|Ich will}{| heute Abend| morgen| bald| eines Tages| am Wochenende} {dich|deine Familie|deine Kinder|deine Frau|deine Mutter|euch alle} {anrufen|besuchen|abholen|umarmen|einladen|vermissen|fragen|mitnehmen}",
      "Ich {rufe|ruf} dich {an|morgen an|heute Abend an|später an}{|, versprochen}",
      "Ich {helfe|schreibe} dir {morgen|heute Abend|gleich|später}",
      "Ich {finde|suche}{| morgen| gleich| bestimmt} {dein Handy|die Datei|eine Lösung|dein Ladekabel}",
      "Wir {schlagen|besiegen|vernichten}{| morgen| am Sonntag} {die anderen|die Gegner}{| im Spiel}",
      "{Ich werde|Ich will} dir{| heute Abend| morgen| bald} {helfen|schreiben|das Buch geben|alles erklären}",
      "Wenn ich dich {sehe|treffe}, {lade ich dich auf einen Kaffee ein|gebe ich dir das Buch|erzähle ich dir alles}",
      "{Bis|Schönen Abend|Gute Nacht|Viel Spaß|Frohes Schaffen}{| morgen| heute Abend| bald| am Montag}{| euch allen| zusammen| ihr Lieben}",
      "{Der Fahrer|Ein Mann|Zwei Männer|Ein Nachbar|Die Ladenbesitzerin} {fand|spendete|verkaufte|reparierte} {eine Geldbörse|das Fahrrad|Lebensmittel|zwei Karten}{| gestern Abend| am Freitag| vor dem Bahnhof}",
      "{Laut Polizei|Zeugen zufolge} wurde {die Straße|der Bahnhof|die Brücke} {wieder geöffnet|gesperrt|repariert}",
    ],
    idioms: [
      "{Du hast|Ihr habt|Sie hat} {es gerockt|abgeräumt|alles gegeben|die Bühne abgerissen}{| gestern| heute| beim Konzert}",
      "{Toi toi toi|Hals- und Beinbruch}{| für deinen Auftritt| heute Abend| beim Spiel}",
      "{Dieser|Der} {Witz|Film|Typ} {bringt mich um|ist zum Totlachen|ist der Hammer}",
      "Ich {könnte|würde} {für einen Kaffee|für ein Bier|für einen Döner} {morden|töten|sterben}",
      "Ich {lach mich tot|sterbe vor Lachen|bin todmüde}{| gerade| heute}",
      "{Das|Der Song|Das Auto} ist {der Hammer|krass|mörderisch gut|der Wahnsinn}",
      "Lass uns {die Zeit totschlagen|im Café die Zeit totschlagen}",
      "Du bist {so lieb|so klug|echt toll|ein Schatz|ein Engel|die Beste|der Beste|ein Genie|mein Held}{|, danke| heute}",
      "{Danke|Vielen Dank} für {die Fahrt|den Tipp|das Geschenk}, du bist {ein Schatz|der Beste|die Beste|ein Engel|Gold wert}",
    ],
  },
  fr: {
    threats: [
      "{Je vais|On va|Mon frère va|Je vais venir} te {tuer|buter|frapper|poignarder|défoncer|massacrer|faire du mal|casser la gueule}{| ce soir| demain| bientôt| un jour| quand tu t'y attendras le moins}",
      "{Je vais|On va} {tuer|frapper|faire du mal à} {ta famille|tes enfants|ta femme|ta mère}{| ce soir| demain| bientôt}",
      "Je {te tue|te bute|te crève}{| ce soir| demain|, je te jure}",
      "Je te {retrouverai|trouverai} et je te {tuerai|ferai du mal|planterai}",
      "{T'es|Tu es} {mort|un homme mort|bientôt mort}{| ce soir| quand je te trouve}",
      "Si je te {revois|croise|trouve}, je te {tue|défonce|plante}",
    ],
    intimidation: [
      "Je sais où tu {habites|travailles|dors}{| et j'arrive|, fais gaffe}",
      "{Tu vas le regretter|Tu vas payer|Fais gaffe à toi|Surveille tes arrières}{|, je te le promets| ce soir}",
      "Je vais te {retrouver|détruire|pourrir la vie|faire payer}{| ce soir| un jour| bientôt}",
    ],
    insults: [
      "Tu es {un crétin|un abruti|un connard|un raté|une merde|un débile|un minable}{| et tout le monde le sait|, ferme-la}",
      "{Ferme ta gueule|Ta gueule|Casse-toi|Dégage}, {pauvre con|sale con|abruti|minable}",
      "T'es {trop con|débile|moche|pathétique|nul}{|, dégage| et personne ne t'aime}",
    ],
    selfHarm: [
      "Je veux {mourir|me tuer|en finir}{| ce soir|, je n'en peux plus}",
      "Je vais me {tuer|suicider|faire du mal}{| ce soir| bientôt}",
    ],
    violence: [
      "{Le tireur|Un homme|L'agresseur|Deux hommes|Un suspect|Les braqueurs} {a tiré sur|a poignardé|a frappé|a blessé|a tué} {un vigile|un passant|son voisin|deux personnes|le chauffeur}{| hier soir| vendredi| devant la gare}",
      "{Selon la police|Selon des témoins}, {une femme|un adolescent|un caissier|un policier} a été {tué par balle|poignardé|roué de coups|grièvement blessé}",
    ],
    plans: [
      "{Je vais|On va|Mon frère va} {t'appeler|t'aider|te rendre visite|te chercher|t'inviter|t'écrire|te remercier}{| ce soir| demain| bientôt| un jour| ce week-end}",
      "{Je vais|On va} {appeler|aider|inviter|voir} {ta famille|tes enfants|ta femme|ta mère}{| ce soir| demain| bientôt}",
      "Je {t'appelle|te rappelle|t'écris}{| ce soir| demain| plus tard}",
      "Je vais {trouver|retrouver} {ton téléphone|ton chargeur|le fichier|une solution}{| demain| tout de suite}",
      "{On va battre le record|On va gagner le match|On va écraser l'autre équipe}{| demain| dimanche}",
      "Si je te {revois|croise}, je te {paie un café|dis bonjour|rends ton livre}",
      "{À|Bonne soirée|Bonne nuit|Bon courage} {demain|ce soir|bientôt|lundi|tout le monde}",
      "{Le chauffeur|Un homme|Deux hommes|Un voisin|La commerçante} a {trouvé|donné|vendu|réparé} {un portefeuille|le vélo|de la nourriture|deux billets}{| hier soir| vendredi| devant la gare}",
      "{Selon la police|Selon des témoins}, {la route|la gare|le pont} {a été rouverte|a été fermée pour travaux|est de nouveau ouverte}",
    ],
    idioms: [
      "{Tu as|T'as|Vous avez} {assuré|tout déchiré|cartonné|mis le feu}{| hier soir| au concert| aujourd'hui}",
      "{Merde|Bonne chance} pour {ton spectacle|ta première|ton concert}{| ce soir}",
      "{Cette blague|Ce film|Cette vidéo} me tue{|, je pleure de rire| vraiment}",
      "Je {tuerais|me damnerais} pour {un café|une bière|un burger}{| là| maintenant}",
      "Je suis {mort de rire|morte de rire|crevé|mort de fatigue}",
      "{Ce son|Cette voiture|Ce plat} est {une tuerie|une dinguerie|mortel|de la bombe}",
      "On tue le temps {au café|en lisant|au parc}",
      "Tu es {un amour|un ange|le meilleur|la meilleure|génial|géniale|adorable|trop gentil}{|, merci| aujourd'hui}",
      "Merci pour {le trajet|le conseil|le cadeau}, tu es {un amour|le meilleur|la meilleure|un ange}",
    ],
  },
  es: {
    threats: [
      "{Te voy a|Te vamos a|Mi hermano te va a} {matar|hacer daño|apuñalar|partir la cara|pegar un tiro|reventar|dar una paliza}{| esta noche| mañana| pronto| un día de estos| cuando menos te lo esperes}",
      "{Voy a|Vamos a} {matar|hacer daño|pegar} a {tu familia|tus hijos|tu mujer|tu madre|todos vosotros}{| esta noche| mañana}",
      "{Voy a matarte|Te mato|Te mataré|Voy a hacerte daño|Voy a reventarte}{| esta noche| mañana|, te lo juro}",
      "Te {encontraré|voy a encontrar} y te {mataré|voy a matar|haré daño}",
      "{Estás muerto|Eres hombre muerto|Vas a morir}{| esta noche| cuando te encuentre}",
      "Si te {vuelvo a ver|pillo|encuentro}, te {mato|parto la cara|reviento}",
    ],
    intimidation: [
      "Sé dónde {vives|trabajas|duermes}{| y voy a por ti|, ten cuidado}",
      "{Te vas a arrepentir|Me las vas a pagar|Cuídate las espaldas}{|, te lo prometo| esta noche}",
      "Voy a {ir a por ti|destruirte|hacerte la vida imposible}{| esta noche| un día| pronto}",
    ],
    insults: [
      "Eres {un imbécil|un gilipollas|un inútil|una basura|un fracasado|un payaso}{| y todo el mundo lo sabe|, cállate}",
      "{Cállate|Cierra la boca|Lárgate}, {imbécil|gilipollas|payaso|inútil}",
      "Eres {tan tonto|tan feo|patético|un inútil}{|, lárgate| y nadie te quiere}",
    ],
    selfHarm: [
      "Quiero {morirme|matarme|acabar con todo}{| esta noche|, ya no puedo más}",
      "Me voy a {matar|suicidar|hacer daño}{| esta noche| pronto}",
    ],
    violence: [
      "{El tirador|Un hombre|El agresor|Dos hombres|Un sospechoso|Los atracadores} {disparó a|apuñaló a|golpeó a|hirió a|mató a} {un guardia|un transeúnte|su vecino|dos personas|el conductor}{| anoche| el viernes| frente a la estación}",
      "{Según la policía|Según testigos}, {una mujer|un adolescente|un cajero|un agente} fue {tiroteado|apuñalado|golpeado|herido de gravedad}",
    ],
    plans: [
      "{Te voy a|Te vamos a|Mi hermano te va a} {llamar|ayudar|visitar|recoger|invitar|escribir|dar un abrazo}{| esta noche| mañana| pronto| un día de estos| este fin de semana}",
      "{Voy a|Vamos a} {llamar|ayudar|visitar|invitar} a {tu familia|tus hijos|tu mujer|tu madre|todos vosotros}{| esta noche| mañana}",
      "{Voy a llamarte|Te llamo|Te escribo|Voy a ayudarte}{| esta noche| mañana| luego}",
      "Voy a encontrar {tu móvil|tu cargador|el archivo|una solución}{| mañana| ahora mismo}",
      "{Vamos a batir el récord|Vamos a machacarlos|Vamos a ganar el partido}{| mañana| el domingo}",
      "Si te {vuelvo a ver|encuentro}, te {invito a un café|devuelvo el libro|saludo}",
      "{Hasta|Buenas noches|Que vaya bien|Nos vemos} {mañana|esta noche|pronto|el lunes|a todos}",
      "{El conductor|Un hombre|Dos hombres|Un vecino|La dueña de la tienda} {encontró|donó|vendió|arregló} {una cartera|la bici|comida|dos entradas}{| anoche| el viernes| frente a la estación}",
      "{Según la policía|Según testigos}, {la carretera|la estación|el puente} {fue reabierta|fue cerrada por obras|está abierta de nuevo}",
    ],
    idioms: [
      "{Lo petaste|Lo bordaste|Lo rompiste|La rompiste|Lo clavaste}{| anoche| en el concierto| hoy}",
      "{Mucha mierda|Mucha suerte} en {la función|el concierto}{| de esta noche}",
      "{Este chiste|Este vídeo|Esta serie} me mata{| de risa|, de verdad}",
      "{Mataría|Daría lo que fuera} por {un café|una cerveza|una hamburguesa}{| ahora mismo| ya}",
      "Me muero {de risa|de ganas de verte|de sueño|de hambre}",
      "{Esa canción|Ese coche|Ese plato} es {brutal|una pasada|la bomba|lo más}",
      "Vamos a matar el tiempo {en el café|leyendo|en el parque}",
      "Eres {un sol|un encanto|el mejor|la mejor|un genio|un ángel|muy amable}{|, gracias| hoy}",
      "Gracias por {traerme|el consejo|el regalo}, eres {un sol|el mejor|la mejor|un ángel}",
    ],
  },
  pt: {
    threats: [
      "{Vou te|Nós vamos te|Meu irmão vai te} {matar|machucar|esfaquear|espancar|dar um tiro|quebrar todo}{| hoje à noite| amanhã| logo| um dia desses| quando você menos esperar}",
      "{Vou|Vamos} {matar|machucar|espancar} {sua família|seus filhos|sua mulher|sua mãe|vocês todos}{| hoje à noite| amanhã}",
      "{Eu te mato|Te mato|Eu vou acabar com você}{| hoje| amanhã|, eu juro}",
      "Vou te {achar|encontrar} e te {matar|machucar|esfaquear}",
      "{Você está morto|Você é um homem morto|Você vai morrer}{| hoje à noite| quando eu te achar}",
      "Se eu te {pegar|vir de novo|encontrar}, {te mato|quebro sua cara|acabo com você}",
    ],
    intimidation: [
      "Eu sei onde você {mora|trabalha|dorme}{| e eu vou aí|, cuidado}",
      "{Você vai se arrepender|Você vai me pagar|Cuidado com as costas}{|, eu prometo| hoje}",
      "Vou {atrás de você|acabar com a sua vida|te destruir}{| hoje à noite| um dia| logo}",
    ],
    insults: [
      "Você é {um imbecil|um otário|um inútil|um lixo|um fracassado|um palhaço}{| e todo mundo sabe|, cala a boca}",
      "{Cala a boca|Some daqui|Vai embora}, {seu imbecil|seu otário|seu palhaço|seu inútil}",
      "Você é {tão burro|tão feio|patético|inútil}{|, some| e ninguém gosta de você}",
    ],
    selfHarm: [
      "Eu quero {morrer|me matar|acabar com tudo}{| hoje à noite|, não aguento mais}",
      "Vou me {matar|machucar|cortar}{| hoje à noite| logo}",
    ],
    violence: [
      "{O atirador|Um homem|O agressor|Dois homens|Um suspeito|Os assaltantes} {atirou em|esfaqueou|espancou|feriu|matou} {um segurança|um pedestre|o vizinho|duas pessoas|o motorista}{| ontem à noite| na sexta| em frente à estação}",
      "{Segundo a polícia|Segundo testemunhas}, {uma mulher|um adolescente|um caixa|um policial} foi {baleado|esfaqueado|espancado|gravemente ferido}",
    ],
    plans: [
      "{Vou te|Nós vamos te|Meu irmão vai te} {ligar|ajudar|visitar|buscar|convidar|escrever|abraçar}{| hoje à noite| amanhã| logo| um dia desses| no fim de semana}",
      "{Vou|Vamos} {ligar para|ajudar|visitar|convidar} {sua família|seus filhos|sua mulher|sua mãe|vocês todos}{| hoje à noite| amanhã}",
      "{Te ligo|Vou te ligar|Te escrevo|Vou te ajudar}{| hoje à noite| amanhã| mais tarde}",
      "Vou achar {seu celular|seu carregador|o arquivo|uma solução}{| amanhã| agora}",
      "{Vamos bater o recorde|Vamos arrasar|Vamos ganhar o jogo}{| amanhã| no domingo}",
      "Se eu te {vir|encontrar}, {te pago um café|te devolvo o livro|te dou um abraço}",
      "{Até|Boa noite|Bom trabalho|A gente se vê} {amanhã|hoje à noite|logo|segunda|pessoal}",
      "{O motorista|Um homem|Dois homens|Um vizinho|A dona da loja} {encontrou|doou|vendeu|consertou} {uma carteira|a bicicleta|comida|dois ingressos}{| ontem à noite| na sexta| em frente à estação}",
      "{Segundo a polícia|Segundo testemunhas}, {a estrada|a estação|a ponte} {foi reaberta|foi fechada para obras|está aberta de novo}",
    ],
    idioms: [
      "Você {arrasou|mandou muito bem|detonou|quebrou tudo}{| ontem| no show| hoje}",
      "{Merda|Boa sorte} pra você {no show|na apresentação}{| hoje}",
      "{Essa piada|Esse vídeo|Essa série} me mata{| de rir|, sério}",
      "Eu {mataria|daria tudo} por {um café|uma cerveja|um hambúrguer}{| agora mesmo}",
      "Estou morrendo {de rir|de saudade|de fome|de sono}",
      "{Essa música|Esse carro|Esse prato} é {demais|sinistro|matador|bom pra caramba}",
      "Vamos matar o tempo {no café|lendo|no parque}",
      "Você é {um anjo|um amor|o melhor|a melhor|um gênio|incrível|muito gentil}{|, obrigado| hoje}",
      "Obrigado pela {carona|dica|força}, você é {um anjo|o melhor|a melhor|um amor}",
    ],
  },
  it: {
    threats: [
      "{Ti|Giuro che ti|Stanotte ti|Domani ti} {ammazzo|uccido|accoltello|spacco la faccia|faccio del male|sparo|pesto}",
      "{Ti farò|Ti faremo} del male{| stanotte| domani| presto| quando meno te lo aspetti}",
      "{Ti ammazzerò|Ti ucciderò|Ti accoltellerò}{| stanotte| domani|, te lo giuro}",
      "{Farò del male a|Ammazzerò|Ucciderò} {la tua famiglia|i tuoi figli|tua moglie|tua madre|tutti voi}{| stanotte| domani}",
      "Ti {troverò|trovo} e ti {ammazzo|uccido|faccio del male}",
      "{Sei morto|Sei un uomo morto|Morirai}{| stanotte| quando ti trovo}",
      "Se ti {rivedo|becco|trovo}, ti {ammazzo|spacco la faccia|uccido}",
    ],
    intimidation: [
      "So dove {abiti|lavori|dormi}{| e sto arrivando|, stai attento}",
      "{Te ne pentirai|Me la pagherai|Guardati le spalle}{|, te lo prometto| stanotte}",
      "{Ti distruggerò|Ti rovinerò la vita|Verrò a prenderti}{| stanotte| un giorno| presto}",
    ],
    insults: [
      "Sei {un cretino|un imbecille|uno stronzo|un fallito|un buffone|un coglione}{| e lo sanno tutti|, stai zitto}",
      "{Stai zitto|Chiudi il becco|Vattene}, {cretino|imbecille|buffone|fallito}",
      "Sei {così stupido|così brutto|patetico|inutile}{|, sparisci| e nessuno ti vuole}",
    ],
    selfHarm: [
      "Voglio {morire|uccidermi|farla finita}{| stanotte|, non ce la faccio più}",
      "Mi {ucciderò|farò del male|taglierò}{| stanotte| presto}",
    ],
    violence: [
      "{L'aggressore|Un uomo|Il rapinatore|Due uomini|Un sospettato|I ladri} {ha sparato a|ha accoltellato|ha picchiato|ha ferito|ha ucciso} {una guardia|un passante|il vicino|due persone|l'autista}{| ieri sera| venerdì| davanti alla stazione}",
      "{Secondo la polizia|Secondo i testimoni}, {una donna|un ragazzo|un cassiere|un agente} è stato {colpito da uno sparo|accoltellato|picchiato|ferito gravemente}",
    ],
    plans: [
      "{Ti|Giuro che ti|Stasera ti|Domani ti} {chiamo|aiuto|vengo a prendere|scrivo|abbraccio|invito a cena}",
      "{Ti chiamerò|Ti aiuterò|Ti scriverò|Ti verrò a trovare}{| stasera| domani| presto|, te lo giuro}",
      "{Chiamerò|Aiuterò|Inviterò} {la tua famiglia|i tuoi figli|tua moglie|tua madre|tutti voi}{| stasera| domani}",
      "Troverò {il tuo telefono|il tuo caricatore|il file|una soluzione}{| domani| subito}",
      "{Batteremo il record|Vinceremo la partita|Stracceremo gli avversari}{| domani| domenica}",
      "Se ti {rivedo|trovo}, ti {offro un caffè|restituisco il libro|saluto}",
      "{A|Buona serata|Buonanotte|Ci vediamo} {domani|stasera|presto|lunedì|a tutti}",
      "{L'autista|Un uomo|Due uomini|Un vicino|La negoziante} ha {trovato|donato|venduto|riparato} {un portafoglio|la bici|del cibo|due biglietti}{| ieri sera| venerdì| davanti alla stazione}",
      "{Secondo la polizia|Secondo i testimoni}, {la strada|la stazione|il ponte} {è stata riaperta|è stata chiusa per lavori|è di nuovo aperta}",
    ],
    idioms: [
      "{Hai spaccato|Avete spaccato|Hai spaccato tutto|Hai fatto faville}{| ieri| al concerto| oggi}",
      "In bocca al lupo per {lo spettacolo|il colloquio|la partita}{| di stasera}",
      "{Questa battuta|Questo video|Questa serie} mi {uccide|fa morire}{| dal ridere|, davvero}",
      "{Ucciderei|Darei qualsiasi cosa} per {un caffè|una birra|un panino}{| adesso| subito}",
      "Sto morendo {dal ridere|di fame|di sonno|dalla voglia di vederti}",
      "{Questa canzone|Questa macchina|Questo piatto} è {una bomba|pazzesca|da paura|micidiale}",
      "Ammazziamo il tempo {al bar|leggendo|al parco}",
      "Sei {un tesoro|un angelo|il migliore|la migliore|un genio|fantastico|gentilissimo}{|, grazie| oggi}",
      "Grazie per {il passaggio|il consiglio|il regalo}, sei {un tesoro|il migliore|la migliore|un angelo}",
    ],
  },
  nl: {
    threats: [
      "{Ik ga je|Wij gaan je|Mijn broer gaat je|Ik zal je} {vermoorden|pijn doen|neersteken|neerschieten|in elkaar slaan|kapotmaken|afmaken}{| vannacht| morgen| binnenkort| ooit| als je het het minst verwacht}",
      "{Ik ga|Wij gaan} {je familie|je kinderen|je vrouw|je moeder|jullie allemaal} {vermoorden|pijn doen|in elkaar slaan}{| vannacht| morgen}",
      "{Ik maak je af|Ik vermoord je|Ik sla je dood}{| vannacht| morgen|, ik zweer het}",
      "Ik vind je en ik {vermoord je|doe je pijn|steek je neer}",
      "{Je bent dood|Je bent er geweest|Jij gaat eraan}{| vannacht| als ik je vind}",
      "Als ik je {weer zie|te pakken krijg|vind}, {vermoord ik je|sla ik je in elkaar|steek ik je neer}",
    ],
    intimidation: [
      "Ik weet waar je {woont|werkt|slaapt}{| en ik kom eraan|, pas maar op}",
      "{Daar ga je spijt van krijgen|Dat ga je betalen|Kijk maar uit}{|, dat beloof ik| vannacht}",
      "Ik ga je {vinden|kapotmaken|leven zuur maken|krijgen}{| vannacht| ooit| binnenkort}",
    ],
    insults: [
      "Je bent {een sukkel|een loser|een eikel|een mislukkeling|een klootzak|een randdebiel}{| en iedereen weet het|, hou je bek}",
      "{Hou je bek|Rot op|Donder op}, {sukkel|eikel|loser|klootzak}",
      "Je bent {zo dom|zo lelijk|zielig|waardeloos}{|, rot op| en niemand mag je}",
    ],
    selfHarm: [
      "Ik wil {dood|er een eind aan maken|niet meer leven}{| vannacht|, ik kan niet meer}",
      "Ik ga {mezelf van kant maken|mezelf pijn doen|mezelf iets aandoen}{| vannacht| binnenkort}",
    ],
    violence: [
      "{De schutter|Een man|De aanvaller|Twee mannen|Een verdachte|De overvallers} {schoot|stak|sloeg|verwondde|doodde} {een bewaker|een voorbijganger|zijn buurman|twee mensen|de chauffeur}{| gisteravond| vrijdag| bij het station}",
      "{Volgens de politie|Volgens getuigen} werd {een vrouw|een tiener|een kassier|een agent} {neergeschoten|neergestoken|in elkaar geslagen|zwaar gewond}",
    ],
    plans: [
      "{Ik ga je|Wij gaan je|Mijn broer gaat je|Ik zal je} {bellen|helpen|ophalen|bezoeken|uitnodigen|knuffelen}{| vanavond| morgen| binnenkort| ooit| dit weekend}",
      "{Ik ga|Wij gaan} {je familie|je kinderen|je vrouw|je moeder|jullie allemaal} {bellen|helpen|uitnodigen|ophalen}{| vanavond| morgen}",
      "{Ik bel je|Ik help je|Ik app je|Ik haal je op}{| vanavond| morgen| straks}",
      "Ik ga {je telefoon|je oplader|het bestand|een oplossing} {zoeken|vinden}{| morgen| meteen}",
      "{We breken het record|We winnen de wedstrijd|We maken de tegenstander in}{| morgen| zondag}",
      "Als ik je {weer zie|tegenkom}, {trakteer ik je op koffie|geef ik je het boek terug|zeg ik gedag}",
      "{Tot|Fijne avond|Welterusten|Succes} {morgen|straks|vanavond|zo|maandag|allemaal}",
      "{De chauffeur|Een man|Twee mannen|Een buurman|De winkeleigenaar} {vond|schonk|verkocht|repareerde} {een portemonnee|de fiets|eten|twee kaartjes}{| gisteravond| vrijdag| bij het station}",
      "{Volgens de politie|Volgens getuigen} werd {de weg|het station|de brug} {weer geopend|afgesloten|gerepareerd}",
    ],
    idioms: [
      "{Je hebt|Jullie hebben} {het geweldig gedaan|de zaal platgespeeld|alles gegeven}{| gisteren| op het concert| vandaag}",
      "Zet hem op{| vanavond| bij je optreden}",
      "{Deze grap|Die video|Die serie} is {mijn dood|te gek|om je dood te lachen}",
      "Ik doe een moord voor {een koffie|een biertje|een broodje}{| nu meteen}",
      "Ik lig {dubbel|in een deuk|dood van het lachen}",
      "{Dat nummer|Die auto|Dat gerecht} is {vet|ziek goed|moordend goed|bizar goed}",
      "We doden de tijd {in het café|met lezen|in het park}",
      "Je bent {een schat|een engel|de beste|geweldig|een held|super lief}{|, dank je| vandaag}",
      "Bedankt voor {de lift|de tip|het cadeau}, je bent {een schat|de beste|een engel|geweldig}",
    ],
  },
  pl: {
    threats: [
      "{Zabiję cię|Skrzywdzę cię|Dźgnę cię nożem|Zastrzelę cię|Pobiję cię|Rozwalę ci łeb|Połamię ci nogi}{| dziś w nocy| jutro| niedługo| kiedyś| kiedy najmniej się spodziewasz}",
      "{Zabiję|Skrzywdzę|Pobiję} {twoją rodzinę|twoje dzieci|twoją żonę|twoją matkę|was wszystkich}{| dziś w nocy| jutro}",
      "{Mój brat cię zabije|Zabijemy cię|Oni cię zabiją|Mój brat cię skrzywdzi}{| dziś w nocy| jutro}",
      "{Zaraz cię|Jutro cię|Dzisiaj cię} {zabiję|pobiję|skrzywdzę}",
      "Znajdę cię i {zabiję|skrzywdzę|pobiję}",
      "{Jesteś martwy|Już nie żyjesz|Zginiesz}{| dziś w nocy| jak cię znajdę}",
      "Jak cię {dorwę|zobaczę|znajdę}, to cię {zabiję|pobiję|zatłukę}",
    ],
    intimidation: [
      "Wiem, gdzie {mieszkasz|pracujesz|śpisz}{| i już idę|, uważaj}",
      "{Pożałujesz tego|Zapłacisz za to|Uważaj na siebie}{|, obiecuję| dziś w nocy}",
      "{Zniszczę cię|Zrujnuję ci życie|Dopadnę cię}{| dziś w nocy| kiedyś| niedługo}",
    ],
    insults: [
      "Jesteś {kretynem|debilem|frajerem|nieudacznikiem|śmieciem|błaznem}{| i wszyscy to wiedzą|, zamknij się}",
      "{Zamknij się|Spadaj|Zamknij mordę}, {kretynie|debilu|frajerze|błaźnie}",
      "Jesteś {taki głupi|taki brzydki|żałosny|bezużyteczny}{|, spadaj| i nikt cię nie lubi}",
    ],
    selfHarm: [
      "Chcę {umrzeć|się zabić|skończyć ze sobą}{| dziś w nocy|, nie daję już rady}",
      "{Zabiję się|Zrobię sobie krzywdę|Potnę się}{| dziś w nocy| niedługo}",
    ],
    violence: [
      "{Napastnik|Mężczyzna|Sprawca|Dwóch mężczyzn|Podejrzany|Złodzieje} {postrzelił|dźgnął nożem|pobił|zranił|zabił} {ochroniarza|przechodnia|sąsiada|kierowcę}{| wczoraj wieczorem| w piątek| przed dworcem}",
      "{Według policji|Według świadków} {kobieta|nastolatek|kasjer|policjant} {został postrzelony|został dźgnięty nożem|został pobity|został ciężko ranny}",
    ],
    plans: [
      "{Zadzwonię do ciebie|Pomogę ci|Odwiedzę cię|Odbiorę cię|Zaproszę cię|Przytulę cię|Napiszę do ciebie}{| dziś wieczorem| jutro| niedługo| kiedyś| w weekend}",
      "{Odwiedzę|Zaproszę|Zabiorę|Przytulę} {twoją rodzinę|twoje dzieci|twoją żonę|twoją matkę|was wszystkich}{| dziś wieczorem| jutro}",
      "{Mój brat do ciebie zadzwoni|Odwiedzimy cię|Oni cię odwiedzą|Mój brat ci pomoże}{| dziś wieczorem| jutro}",
      "{Zaraz cię|Jutro cię|Dzisiaj cię} {odwiedzę|odbiorę|przytulę}",
      "Znajdę {twój telefon|twoją ładowarkę|ten plik|jakieś rozwiązanie}{| jutro| zaraz}",
      "{Pobijemy rekord|Wygramy mecz|Rozgromimy rywali}{| jutro| w niedzielę}",
      "Jak cię {zobaczę|spotkam}, to {postawię ci kawę|oddam ci książkę|cię przytulę}",
      "{Do|Miłego wieczoru|Dobranoc|Na razie} {jutra|wieczora|poniedziałku|wszystkim}",
      "{Kierowca|Mężczyzna|Dwóch mężczyzn|Sąsiad|Sprzedawczyni} {znalazł|oddał|sprzedał|naprawił} {portfel|rower|jedzenie|dwa bilety}{| wczoraj wieczorem| w piątek| przed dworcem}",
      "{Według policji|Według świadków} {droga|stacja|most} {została ponownie otwarta|została zamknięta|jest znowu otwarta}",
    ],
    idioms: [
      "{Dałeś czadu|Daliście czadu|Dałaś czadu|Rozwaliłeś system|Zamiotłeś}{| wczoraj| na koncercie| dzisiaj}",
      "{Połamania nóg|Powodzenia} na {występie|koncercie|meczu}{| dziś}",
      "{Ten żart|Ten film|Ten serial} mnie {zabija|rozwala}{|, płaczę ze śmiechu| serio}",
      "{Zabiłabym|Oddałbym wszystko} za {kawę|piwo|burgera}{| w tej chwili}",
      "Umieram {ze śmiechu|z głodu|z nudów|z ciekawości}",
      "{Ta piosenka|To auto|To danie} jest {zabójcza|mega|kozackie|zabójczo dobre}",
      "Zabijamy czas {w kawiarni|czytając|w parku}",
      "Jesteś {kochany|kochana|aniołem|najlepszy|najlepsza|geniuszem|wspaniały}{|, dzięki| dzisiaj}",
      "Dzięki za {podwózkę|radę|prezent}, jesteś {kochany|najlepszy|najlepsza|aniołem}",
    ],
  },
};
