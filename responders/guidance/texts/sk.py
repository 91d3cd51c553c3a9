"""Slovak guidance texts."""

from __future__ import annotations

TEXTS: dict[str, object] = {
    "standard": [
        "Prečítajte si recenziu aj odpoveď, ktorá už bola zverejnená; jednou vetou si zapíšte, čo {name} "
        "nahnevalo najviac.",
        "Kontaktujte {name} osobne, cez kanál, ktorý {source} umožňuje, najneskôr do {due}.",
        "Začnite tým, čo podľa vás zlyhalo, a overte si to: „Rozumiem správne, že ...?“ Potom nechajte "
        "zákazníka hovoriť, neprerušujte ho a nebráňte firmu.",
        "Vlastnými slovami ukážte, že chápete, aké to bolo, a oslovujte zákazníka menom.",
        "Hovorte o tom, čo urobiť môžete, nie o tom, čo nejde. Ponúknite len to, čo sa dá naozaj splniť; "
        "najprv si to overte u tímu, ktorý za nápravu zodpovedá.",
        "Dohodnite jeden ďalší krok s konkrétnym časom (napríklad „Zavolám vám dnes do 18:00“) a zapíšte ho "
        "do úlohy. Ak termín nestihnete, dajte {name} vedieť ešte pred ním, povedzte nový čas a poďakujte za "
        "trpezlivosť.",
        "Keď je dohodnutý krok splnený, uzavrite úlohu s výsledkom.",
    ],
    "abusive": [
        "Na urážky neodpovedajte, verejne ani súkromne. Držte pokojný, vecný tón.",
        "Raz jasne povedzte pravidlá: chcete problém vyriešiť a budete pokračovať, hneď ako sa o ňom dá "
        "hovoriť bez urážok.",
        "Presuňte prípad do formálnej písomnej komunikácie: požiadajte {name}, aby prípad aj s dôkazmi opísal "
        "e-mailom na adresu firmy, a potvrďte, kedy dostane odpoveď.",
        "Zhrňte sťažnosť bez hodnotenia a opýtajte sa, či je zhrnutie presné.",
    ],
    "legal": [
        "Počkajte: nezverejňujte odpoveď a zatiaľ {name} nekontaktujte.",
        "Ešte dnes to postúpte manažérovi a právnikovi, s odkazom na recenziu a už zverejnenou odpoveďou; do "
        "úlohy zapíšte, koho a kedy ste informovali.",
        "Pred akýmkoľvek kontaktom počkajte na písomný súhlas; dovtedy nepriznávajte vinu a nič nesľubujte.",
    ],
    "legal_then": "Po písomnom súhlase pokračujte krokmi pre: {variants}.",
    "repeat_complainer": [
        "Najprv si prečítajte ďalšie recenzie tohto zákazníka ({count}): je to jeden pokračujúci vzťah, nie "
        "nový prípad.",
        "Ak to súvisí, spomeňte, že o predchádzajúcom probléme viete, a nech má celý prípad jedného vlastníka.",
    ],
    "template_reply": [
        "Verejná odpoveď, ktorú {name} dostal(a), bola šablóna (zverejnená {n}-krát). Priznajte to otvorene: "
        "na jeho/jej prípad neodpovedala a teraz sa ozývate, aby ste to napravili.",
        "Nevkladajte ďalšiu šablónu; píšte o jeho/jej konkrétnom prípade.",
    ],
    "theme_fixed": [
        "Problém, ktorý {name} opísal(a) („{theme}“), je medzitým vyriešený. Ozvite sa a poďakujte: jeho/jej "
        "sťažnosť pomohla k zmene.",
        "Povedzte konkrétne, čo sa zmenilo a odkedy; malá pozornosť ako poďakovanie je v poriadku, samotný "
        "zľavový kód nie je podstata.",
    ],
    "avoid": [
        "Kopírovanie šablóny alebo odpovede, ktorú ste už poslali inému zákazníkovi.",
        "Automatické „ospravedlňujeme sa za nepríjemnosti“; ak sa ospravedlňujete, povedzte za čo.",
        "Zvaľovanie viny na kolegov, iné oddelenia, dodávateľov, kuriérov, partnerov alebo „systém“.",
        "Spochybňovanie toho, čo zákazník hovorí („podľa našich záznamov ste...“), alebo obviňovanie zákazníka.",
        "Sľuby vrátenia peňazí, termínov či kompenzácie, ktoré nie sú potvrdené.",
        "Žiadosť, aby zákazník recenziu alebo hodnotenie zmenil, odstránil či prehodnotil.",
    ],
    "avoid_abusive": ["Hádať sa alebo preberať tón zákazníka."],
    "avoid_legal": ["Akúkoľvek verejnú odpoveď, priznanie viny či ponuku pred súhlasom právnika."],
    "labels": {
        "reviewer": "Recenzent",
        "rating": "Hodnotenie",
        "title": "Názov recenzie",
        "review": "Recenzia",
        "source": "Stránka",
        "link": "Odkaz na recenziu",
        "reply": "Už zverejnená odpoveď",
        "template": "Bola to šablóna?",
        "other_reviews": "Ďalšie recenzie tohto recenzenta",
        "due": "Prvý kontakt do",
        "theme": "Vyriešená téma sťažností",
    },
    "template_yes": "áno, zverejnená {n}-krát",
    "template_yes_unknown": "áno",
    "no": "nie",
    "none": "žiadna",
    "the_reviewer": "recenzenta",
    "the_site": "stránka s recenziami",
    "soon": "stanoveného termínu",
    "variant_names": {
        "abusive": "urážlivú recenziu",
        "repeat_complainer": "opakovaného recenzenta",
        "template_reply": "predchádzajúcu šablónovú odpoveď",
        "theme_fixed": "vyriešenú tému sťažností",
    },
}
