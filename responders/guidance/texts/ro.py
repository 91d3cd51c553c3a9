"""Romanian guidance texts."""

from __future__ import annotations

TEXTS: dict[str, object] = {
    "standard": [
        "Citiți recenzia și răspunsul deja publicat; notați într-o propoziție ce l-a supărat cel mai tare pe {name}.",
        "Contactați-l personal pe {name}, pe canalul permis de {source}, înainte de {due}.",
        "Începeți spunând ce ați înțeles că nu a mers și verificați: „Am înțeles corect că ...?” Apoi lăsați "
        "clientul să vorbească, fără să-l întrerupeți și fără să apărați compania.",
        "Arătați, cu propriile cuvinte, că înțelegeți cum s-a simțit, și folosiți-i numele.",
        "Spuneți ce puteți face, nu ce nu puteți. Oferiți doar ce sigur se poate livra; verificați mai întâi "
        "cu echipa care răspunde de remediere.",
        "Stabiliți un singur pas următor cu o oră concretă (de exemplu „Vă sun înapoi astăzi până la ora 18”) "
        "și notați-l în sarcină. Dacă termenul nu poate fi respectat, anunțați-l pe {name} înainte de termen, "
        "dați noua oră și mulțumiți-i pentru răbdare.",
        "Închideți sarcina cu rezultatul după ce pasul stabilit a fost făcut.",
    ],
    "abusive": [
        "Nu răspundeți la insulte, nici public, nici în privat. Păstrați un ton calm, profesionist.",
        "Stabiliți o singură dată regulile: vreți să rezolvați problema și veți continua imediat ce se poate "
        "discuta fără insulte.",
        "Mutați cazul pe un canal formal, în scris: rugați-l pe {name} să descrie cazul, cu dovezi, prin e-mail "
        "la adresa companiei, și confirmați când va primi răspuns.",
        "Rezumați plângerea fără judecăți și întrebați dacă rezumatul este corect.",
    ],
    "legal": [
        "Așteptați: nu publicați niciun răspuns și nu-l contactați încă pe {name}.",
        "Escaladați astăzi către un manager și către juristul companiei, cu linkul recenziei și răspunsul deja "
        "publicat; notați în sarcină cine a fost anunțat și când.",
        "Așteptați acordul scris înainte de orice contact; până atunci nu recunoașteți vina și nu promiteți nimic.",
    ],
    "legal_then": "După acordul scris, continuați cu pașii pentru: {variants}.",
    "regulator": [
        "Așteptați: nu publicați niciun răspuns și nu-l contactați încă pe {name}; plângerea a ajuns sau poate "
        "ajunge la o autoritate de reglementare ori la un ombudsman.",
        "Anunțați astăzi un manager și persoana care răspunde autorităților și ombudsmanilor (conformitate sau "
        "biroul de reclamații), cu linkul recenziei și răspunsul deja publicat; notați în sarcină cine a fost "
        "anunțat și când.",
        "Adunați istoricul cazului: ce a cumpărat sau a folosit clientul, fiecare contact cu data lui, ce s-a "
        "promis și ce s-a făcut. Autoritatea sau ombudsmanul îl va cere, de obicei cu termen.",
        "Așteptați acordul scris înainte de orice contact sau răspuns public; până atunci nu recunoașteți nimic și "
        "nu promiteți nimic.",
    ],
    "fraud": [
        "Tratați cazul ca urgent: transmiteți-l astăzi echipei de fraude sau de securitate, cu linkul recenziei, și "
        "întrebați dacă contul, cardul sau linia trebuie blocate ori securizate imediat.",
        "Când îl contactați pe {name}, folosiți un canal în care puteți verifica că vorbiți cu persoana potrivită, "
        "niciodată răspunsul public; verificați identitatea înainte de a discuta despre cont.",
        "Nu cereți niciodată parole, PIN-uri, coduri unice sau numere complete de card și spuneți-i clientului că "
        "nici compania nu le cere vreodată.",
        "Explicați ce urmează: numărul cazului de fraudă, cine se ocupă de el și când va primi vești clientul; "
        "scrieți același lucru în sarcină.",
    ],
    "fraud_in_hold": (
        "Între timp, fără a-l contacta pe client: întrebați astăzi echipa de fraude sau de securitate dacă contul, "
        "cardul sau linia trebuie blocate ori securizate."
    ),
    "repeat_complainer": [
        "Citiți mai întâi celelalte {count} recenzii ale acestui client: este o relație care continuă, nu un caz nou.",
        "Dacă este relevant, spuneți că știți de problema anterioară și păstrați un singur responsabil pentru tot.",
    ],
    "template_reply": [
        "Răspunsul public primit de {name} a fost un text standard (publicat de {n} ori). Spuneți-o sincer: nu "
        "a răspuns la cazul său, iar acum îl contactați ca să faceți asta.",
        "Nu lipiți un alt răspuns standard; scrieți despre cazul lui.",
    ],
    "theme_fixed": [
        "Problema descrisă de {name} („{theme}”) a fost între timp rezolvată. Contactați-l ca să-i mulțumiți: "
        "reclamația lui a ajutat la schimbare.",
        "Spuneți concret ce s-a schimbat și de când; un mic gest de mulțumire este în regulă, dar un cod de "
        "reducere singur nu e ideea.",
    ],
    "avoid": [
        "Copierea unui răspuns standard sau a unuia trimis deja altcuiva.",
        "Un „ne cerem scuze pentru neplăceri” automat; dacă vă cereți scuze, spuneți pentru ce.",
        "Aruncarea vinei pe colegi, alte departamente, furnizori, curieri, parteneri sau „sistem”.",
        "Punerea la îndoială a spuselor clientului („conform evidențelor noastre ați...”) sau învinovățirea lui.",
        "Promisiuni de rambursare, termene sau compensații care nu sunt confirmate.",
        "Rugămintea ca clientul să-și modifice, șteargă sau reconsidere recenzia ori nota.",
    ],
    "avoid_abusive": ["Contrazicerea sau preluarea tonului clientului."],
    "avoid_regulator": [
        "A cere sau a sugera recenzentului să-și retragă plângerea de la autoritate sau ombudsman, ori a condiționa "
        "o ofertă de asta.",
    ],
    "avoid_fraud": [
        "A cere parole, PIN-uri, coduri unice sau numere complete de card, pe orice canal.",
        "A menționa sume, tranzacții sau date de cont într-un răspuns public.",
    ],
    "avoid_legal": ["Orice răspuns public, recunoaștere a vinei sau ofertă înainte de acordul juristului."],
    "labels": {
        "reviewer": "Autorul recenziei",
        "rating": "Nota",
        "title": "Titlul recenziei",
        "review": "Recenzia",
        "source": "Site",
        "link": "Linkul recenziei",
        "reply": "Răspunsul deja publicat",
        "template": "A fost un șablon?",
        "other_reviews": "Alte recenzii ale acestui autor",
        "specifics": "Despre ce au scris",
        "due": "Primul contact până la",
        "theme": "Tema de reclamații rezolvată",
    },
    "template_yes": "da, publicat de {n} ori",
    "template_yes_unknown": "da",
    "no": "nu",
    "none": "niciunul",
    "the_reviewer": "autorul recenziei",
    "the_site": "site-ul de recenzii",
    "soon": "termenul stabilit",
    "variant_names": {
        "fraud": "frauda semnalată",
        "abusive": "recenzia jignitoare",
        "repeat_complainer": "clientul care revine cu plângeri",
        "template_reply": "răspunsul-șablon anterior",
        "theme_fixed": "tema de reclamații rezolvată",
    },
}
