"""Finnish guidance texts."""

from __future__ import annotations

TEXTS: dict[str, object] = {
    "standard": [
        "Lue arvio ja jo julkaistu vastaus; kirjoita yhdellä lauseella, mikä suututti asiakasta ({name}) eniten.",
        "Ota asiakkaaseen ({name}) yhteyttä henkilökohtaisesti sivuston {source} sallimaa kanavaa pitkin ennen "
        "määräaikaa {due}.",
        "Aloita kertomalla, mitä ymmärsit menneen vikaan, ja varmista se: ”Ymmärsinkö oikein, että ...?” Anna "
        "sitten asiakkaan puhua keskeyttämättä äläkä puolustele yritystä.",
        "Näytä omin sanoin, että ymmärrät, miltä tilanne tuntui, ja käytä asiakkaan nimeä.",
        "Kerro, mitä voit tehdä, älä sitä, mitä et voi. Tarjoa vain sitä, minkä varmasti pystyt toteuttamaan; "
        "tarkista asia ensin korjauksesta vastaavalta tiimiltä.",
        "Sovi yksi seuraava askel ja aika (esimerkiksi ”Soitan teille tänään klo 18 mennessä”) ja kirjaa se "
        "tehtävään. Jos aikataulu pettää, kerro siitä asiakkaalle ({name}) ennen määräaikaa, anna uusi aika ja "
        "kiitä kärsivällisyydestä.",
        "Sulje tehtävä ja kirjaa lopputulos, kun sovittu askel on tehty.",
    ],
    "abusive": [
        "Älä vastaa loukkauksiin, julkisesti tai yksityisesti. Pysy rauhallisena ja asiallisena.",
        "Kerro pelisäännöt kerran: haluat ratkaista ongelman ja jatkat heti, kun asiasta voi puhua ilman loukkauksia.",
        "Siirrä asia muodolliseen kirjalliseen kanavaan: pyydä asiakasta ({name}) kuvaamaan tapaus ja "
        "mahdolliset todisteet sähköpostitse yrityksen osoitteeseen ja kerro, milloin hän saa vastauksen.",
        "Tiivistä valitus arvostelematta ja kysy, onko tiivistelmä oikea.",
    ],
    "legal": [
        "Odota: älä julkaise vastausta äläkä ota vielä yhteyttä asiakkaaseen ({name}).",
        "Vie asia tänään esihenkilölle ja lakiasioista vastaavalle, mukaan linkki arvioon ja jo julkaistu "
        "vastaus; kirjaa tehtävään, kenelle ja milloin kerroit.",
        "Odota kirjallista lupaa ennen yhteydenottoa; älä sillä välin myönnä vastuuta äläkä lupaa mitään.",
    ],
    "legal_then": "Kirjallisen luvan jälkeen jatka näiden tilanteiden ohjeilla: {variants}.",
    "regulator": [
        "Odota: älä julkaise vastausta äläkä ota vielä yhteyttä asiakkaaseen ({name}); valitus on mennyt tai voi "
        "mennä viranomaiselle, valvojalle tai lautakuntaan.",
        "Kerro asiasta tänään esihenkilölle ja sille, joka vastaa viranomaisille ja lautakunnille (compliance tai "
        "asiakasvalitukset), mukaan linkki arvioon ja jo julkaistu vastaus; kirjaa tehtävään, kenelle ja milloin "
        "kerroit.",
        "Kokoa tapauksen historia: mitä asiakas osti tai käytti, jokainen yhteydenotto päivämäärineen, mitä "
        "luvattiin ja mitä tehtiin. Viranomainen tai lautakunta pyytää sitä yleensä määräajassa.",
        "Odota kirjallista lupaa ennen yhteydenottoa tai julkista vastausta; älä sillä välin myönnä äläkä lupaa "
        "mitään.",
    ],
    "fraud": [
        "Käsittele kiireellisenä: vie asia tänään petos- tai tietoturvatiimille linkin kanssa ja kysy, pitääkö "
        "tili, kortti tai liittymä sulkea tai suojata heti.",
        "Kun otat yhteyttä asiakkaaseen ({name}), käytä kanavaa, jossa voit varmistaa puhuvasi oikean henkilön "
        "kanssa, älä koskaan julkista vastausta; tarkista henkilöllisyys ennen kuin puhut tilistä.",
        "Älä koskaan pyydä salasanoja, PIN-koodeja, kertakäyttökoodeja tai kortin koko numeroa, ja kerro "
        "asiakkaalle, ettei yritys kysy niitä koskaan.",
        "Kerro, mitä seuraavaksi tapahtuu: petostapauksen viite, kuka sitä hoitaa ja milloin asiakas kuulee "
        "asiasta; kirjaa sama tehtävään.",
    ],
    "fraud_in_hold": (
        "Sillä välin, ottamatta yhteyttä asiakkaaseen: kysy tänään petos- tai tietoturvatiimiltä, pitääkö tili, "
        "kortti tai liittymä sulkea tai suojata."
    ),
    "repeat_complainer": [
        "Lue ensin arvioijan {count} muuta arviota: kyse on jatkuvasta asiakassuhteesta, ei uudesta tapauksesta.",
        "Mainitse tarvittaessa, että tiedät aiemmasta ongelmasta, ja pidä koko asialla yksi vastuuhenkilö.",
    ],
    "template_reply": [
        "Asiakkaan ({name}) saama julkinen vastaus oli vakioteksti (julkaistu {n} kertaa). Sano se rehellisesti: "
        "se ei vastannut hänen tapaukseensa, ja otat nyt yhteyttä korjataksesi sen.",
        "Älä liitä uutta vakiovastausta; kirjoita hänen omasta tapauksestaan.",
    ],
    "theme_fixed": [
        "Asiakkaan ({name}) kuvaama ongelma (”{theme}”) on sittemmin korjattu. Ota yhteyttä ja kiitä: hänen "
        "palautteensa auttoi muutoksessa.",
        "Kerro konkreettisesti, mikä muuttui ja mistä alkaen; pieni kiitoslahja sopii, mutta pelkkä "
        "alennuskoodi ei ole pääasia.",
    ],
    "avoid": [
        "Vakiovastauksen tai jollekulle toiselle jo lähetetyn vastauksen kopioiminen.",
        "Refleksinomainen ”pahoittelemme aiheutunutta haittaa”; jos pyydät anteeksi, sano mitä.",
        "Syyn vierittäminen kollegoille, muille osastoille, toimittajille, kuriireille, kumppaneille tai "
        "”järjestelmälle”.",
        "Asiakkaan kertoman kyseenalaistaminen (”tietojemme mukaan te...”) tai asiakkaan syyttäminen.",
        "Lupaukset hyvityksistä, päivämääristä tai korvauksista, joita ei ole vahvistettu.",
        "Pyyntö muuttaa, poistaa tai harkita uudelleen arviota tai arvosanaa.",
    ],
    "avoid_abusive": ["Väittelemistä tai asiakkaan sävyyn lähtemistä."],
    "avoid_regulator": [
        "Pyytää tai vihjata, että arvioija peruisi valituksensa viranomaiselle tai lautakunnalle, tai sitoa tarjous "
        "siihen.",
    ],
    "avoid_fraud": [
        "Pyytää salasanoja, PIN-koodeja, kertakäyttökoodeja tai kortin koko numeroa missään kanavassa.",
        "Mainita summia, tapahtumia tai tilin tietoja julkisessa vastauksessa.",
    ],
    "avoid_legal": ["Mitään julkista vastausta, vastuun myöntämistä tai tarjousta ennen lakiasioiden lupaa."],
    "labels": {
        "reviewer": "Arvioija",
        "rating": "Arvosana",
        "title": "Arvion otsikko",
        "review": "Arvio",
        "source": "Sivusto",
        "link": "Linkki arvioon",
        "reply": "Jo julkaistu vastaus",
        "template": "Oliko se vakiovastaus?",
        "other_reviews": "Arvioijan muut arviot",
        "specifics": "Mistä he kirjoittivat",
        "due": "Ensimmäinen yhteydenotto viimeistään",
        "theme": "Korjattu valitusaihe",
    },
    "template_yes": "kyllä, julkaistu {n} kertaa",
    "template_yes_unknown": "kyllä",
    "no": "ei",
    "none": "ei ole",
    "the_reviewer": "arvioija",
    "the_site": "arviosivusto",
    "soon": "sovittu aika",
    "variant_names": {
        "fraud": "ilmoitettu petos",
        "abusive": "loukkaava arvio",
        "repeat_complainer": "toistuvasti valittava arvioija",
        "template_reply": "aiempi vakiovastaus",
        "theme_fixed": "korjattu valitusaihe",
    },
}
