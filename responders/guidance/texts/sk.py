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
    "regulator": [
        "Počkajte: nezverejňujte odpoveď a {name} zatiaľ nekontaktujte; sťažnosť sa dostala alebo môže dostať k "
        "regulátorovi či ombudsmanovi.",
        "Ešte dnes informujte manažéra a toho, kto vo firme odpovedá regulátorom a ombudsmanom (compliance alebo "
        "oddelenie sťažností), s odkazom na recenziu a už zverejnenou odpoveďou; do úlohy zapíšte, koho a kedy ste "
        "informovali.",
        "Pripravte históriu prípadu: čo zákazník kúpil alebo používal, každý kontakt s dátumom, čo sa sľúbilo a čo "
        "sa urobilo. Regulátor alebo ombudsman si ju vyžiada, zvyčajne s lehotou.",
        "Pred akýmkoľvek kontaktom či verejnou odpoveďou počkajte na písomný súhlas; dovtedy nič nepriznávajte a "
        "nič nesľubujte.",
    ],
    "fraud": [
        "Berte to ako naliehavé: ešte dnes to odovzdajte tímu pre podvody alebo bezpečnosť s odkazom na recenziu a "
        "opýtajte sa, či treba účet, kartu alebo linku hneď zablokovať či zabezpečiť.",
        "Keď {name} kontaktujete, použite kanál, v ktorom si overíte, že hovoríte so správnou osobou, nikdy nie "
        "verejnú odpoveď; totožnosť overte skôr, než začnete hovoriť o účte.",
        "Nikdy nežiadajte heslá, PIN, jednorazové kódy ani celé čísla kariet a povedzte zákazníkovi, že ich firma "
        "nikdy nepýta.",
        "Vysvetlite, čo bude nasledovať: číslo prípadu podvodu, kto ho rieši a kedy sa zákazníkovi ozvete; to isté "
        "zapíšte do úlohy.",
    ],
    "fraud_in_hold": (
        "Medzitým, bez kontaktu so zákazníkom: ešte dnes sa opýtajte tímu pre podvody alebo bezpečnosť, či treba "
        "účet, kartu alebo linku zablokovať či zabezpečiť."
    ),
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
    "avoid_regulator": [
        "Žiadať alebo naznačovať, aby recenzent stiahol sťažnosť u regulátora či ombudsmana, alebo od toho "
        "podmieňovať ponuku.",
    ],
    "avoid_fraud": [
        "Pýtať heslá, PIN, jednorazové kódy alebo celé čísla kariet, v akomkoľvek kanáli.",
        "Uvádzať sumy, transakcie alebo údaje o účte vo verejnej odpovedi.",
    ],
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
        "specifics": "O čom písali",
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
        "fraud": "nahlásený podvod",
        "abusive": "urážlivú recenziu",
        "repeat_complainer": "opakovaného recenzenta",
        "template_reply": "predchádzajúcu šablónovú odpoveď",
        "theme_fixed": "vyriešenú tému sťažností",
    },
}
