"""Guidance that follows how a site lets the company reach its reviewers (`monitor.core.channels`).

The playbook's standard steps assume a private way to talk to the reviewer. Where the site has none (the App Store,
Google Play, Google Business Profile), they become one public, personal, specific reply and a follow-up in the same
reply after the release that fixes the problem; where the site carries private messages, the steps lead there and a
call happens only when the reviewer offers a number; where the company cannot answer on the site at all, no step
invents a way to reach the reviewer. Every step list keeps the standard list's shape: its second step is the
contact, its last one closes the task.

The channel comes with the case facts, filled in by the caller that knows the source kind; `None` (not known)
keeps the standard steps.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from monitor.core.channels import NO_REPLY_CHANNEL, PUBLIC_REPLY_AND_PRIVATE_MESSAGE, PUBLIC_REPLY_ONLY

__all__ = ["CHANNEL_TEXTS", "channel_avoid", "channel_extra_steps", "channel_fact", "channel_steps"]

_STEPS = {
    PUBLIC_REPLY_ONLY: "public_reply",
    PUBLIC_REPLY_AND_PRIVATE_MESSAGE: "private_message",
    NO_REPLY_CHANNEL: "no_reply",
}
# Variants whose steps move the conversation somewhere private: on a public-only site that needs a word on how.
_NEEDS_PRIVATE = frozenset({"fraud", "abusive"})

CHANNEL_TEXTS: dict[str, dict[str, object]] = {
    "en": {
        "public_reply": [
            "Read the review and the reply already posted; write down, in one sentence, what upset {name} most.",
            "Answer {name} with one public reply on {source} before {due}: it is the only way to reach them there, as "
            "nobody has their e-mail address or phone number.",
            "Make it personal and specific: use their name and say in your own words what went wrong for them, "
            "without blaming anyone.",
            "Say what the company is doing about it and when, in terms they can check (the version or the date the "
            "fix ships). Promise only what is confirmed; check with the team that owns the fix first.",
            "If they need help with their account or an order, give the official support address or page in the "
            "reply, and never ask for personal or account details in public.",
            "When the release that fixes it is out, add that to the reply, and set that follow-up in the task now.",
            "Close the task with the outcome once the reply is posted and any promised follow-up is done.",
        ],
        "private_message": [
            "Read the review and the reply already posted; write down, in one sentence, what upset {name} most.",
            "Write to {name} personally in the private messages of {source} before {due}; in public, say only "
            "briefly that you have written to them.",
            'Open by saying what you understood went wrong and check it: "Did I get this right: ...?" Then let '
            "them answer without interrupting or defending the company.",
            "Show that you understand how it felt, in your own words, and use their name.",
            "Say what you can do, not what you cannot. Offer only what you are sure can be delivered; check with "
            "the team that owns the fix first.",
            'Agree one next step with a time (for example "I will write back by 6 pm today with the answer") and '
            "record it in the task; call only if {name} gives you a number and asks for a call. If it slips, tell "
            "them before the deadline, give the new time and thank them for waiting.",
            "Close the task with the outcome once the agreed step is done.",
        ],
        "no_reply": [
            "Read the review; write down, in one sentence, what upset {name} most.",
            "{source} takes no reply from the company. Only if the review names an order or a ticket the company "
            "holds, answer {name} through that channel before {due}; never guess other ways to reach them.",
            "Pass the problem to the team that owns it and close the task with the outcome: contacted through the "
            "company's own channel, or not actionable when there is no way to reach them.",
        ],
        "public_private_contact": (
            "{source} carries public replies only: to talk in private, invite {name} in the reply to write to the "
            "company's support at its official address or page, and never discuss account details in public."
        ),
        "avoid_public_reply": [
            "Promising a call, an e-mail or a private message: on a site with public replies only, nobody has the "
            "reviewer's contact details.",
            "Personal, order or account details in the public reply.",
        ],
        "label": "How to reach them",
        "names": {
            PUBLIC_REPLY_ONLY: "a public reply only (nobody has their e-mail address or phone number)",
            PUBLIC_REPLY_AND_PRIVATE_MESSAGE: "private messages on the site, and the public reply",
            NO_REPLY_CHANNEL: "the site takes no reply from the company",
            "unknown": "not known: check what the site allows",
        },
    },
    "sk": {
        "public_reply": [
            "Prečítajte si recenziu aj odpoveď, ktorá už bola zverejnená; jednou vetou si zapíšte, čo {name} "
            "nahnevalo najviac.",
            "Odpovedzte {name} jednou verejnou odpoveďou na {source} najneskôr do {due}: je to jediný spôsob, ako "
            "ho tam zastihnúť, lebo nikto nemá jeho e-mail ani telefónne číslo.",
            "Odpoveď nech je osobná a konkrétna: oslovte ho menom a vlastnými slovami povedzte, čo sa mu pokazilo, "
            "bez obviňovania kohokoľvek.",
            "Povedzte, čo s tým firma robí a kedy, tak, aby si to mohol overiť (verzia alebo dátum, keď oprava "
            "vyjde). Sľúbte len to, čo je potvrdené; najprv si to overte u tímu, ktorý za nápravu zodpovedá.",
            "Ak potrebuje pomoc s účtom alebo objednávkou, uveďte v odpovedi oficiálnu adresu alebo stránku "
            "podpory a verejne nikdy nežiadajte osobné údaje ani údaje o účte.",
            "Keď vyjde verzia s opravou, doplňte to do odpovede; tento ďalší krok si zapíšte do úlohy už teraz.",
            "Keď je odpoveď zverejnená a sľúbený ďalší krok splnený, uzavrite úlohu s výsledkom.",
        ],
        "private_message": [
            "Prečítajte si recenziu aj odpoveď, ktorá už bola zverejnená; jednou vetou si zapíšte, čo {name} "
            "nahnevalo najviac.",
            "Napíšte {name} osobne cez súkromné správy na {source} najneskôr do {due}; verejne len stručne "
            "uveďte, že ste mu napísali.",
            "Začnite tým, čo podľa vás zlyhalo, a overte si to: „Rozumiem správne, že ...?“ Potom ho nechajte "
            "odpovedať, neprerušujte ho a nebráňte firmu.",
            "Vlastnými slovami ukážte, že chápete, aké to bolo, a oslovujte zákazníka menom.",
            "Hovorte o tom, čo urobiť môžete, nie o tom, čo nejde. Ponúknite len to, čo sa dá naozaj splniť; "
            "najprv si to overte u tímu, ktorý za nápravu zodpovedá.",
            "Dohodnite jeden ďalší krok s konkrétnym časom (napríklad „Odpíšem vám dnes do 18:00“) a zapíšte ho "
            "do úlohy; volajte len vtedy, ak vám {name} dá číslo a o hovor požiada. Ak termín nestihnete, dajte "
            "mu vedieť ešte pred ním, povedzte nový čas a poďakujte za trpezlivosť.",
            "Keď je dohodnutý krok splnený, uzavrite úlohu s výsledkom.",
        ],
        "no_reply": [
            "Prečítajte si recenziu; jednou vetou si zapíšte, čo {name} nahnevalo najviac.",
            "{source} neumožňuje firme odpovedať. Len ak recenzia uvádza objednávku alebo požiadavku, ktorú firma "
            "eviduje, odpovedzte {name} týmto kanálom najneskôr do {due}; iné spôsoby kontaktu nehádajte.",
            "Odovzdajte problém tímu, ktorý zaň zodpovedá, a uzavrite úlohu s výsledkom: kontaktovaný cez vlastný "
            "kanál firmy, alebo bez riešenia, ak sa ho nedá zastihnúť.",
        ],
        "public_private_contact": (
            "{source} umožňuje len verejné odpovede: ak sa treba porozprávať súkromne, vyzvite v odpovedi {name}, "
            "aby napísal podpore firmy na jej oficiálnu adresu alebo stránku, a o údajoch o účte nikdy nehovorte "
            "verejne."
        ),
        "avoid_public_reply": [
            "Sľubovať hovor, e-mail alebo súkromnú správu: na stránke len s verejnými odpoveďami nikto nemá "
            "kontakt na recenzenta.",
            "Osobné údaje, údaje o objednávke alebo účte vo verejnej odpovedi.",
        ],
        "label": "Ako ho zastihnúť",
        "names": {
            PUBLIC_REPLY_ONLY: "len verejnou odpoveďou (nikto nemá jeho e-mail ani telefónne číslo)",
            PUBLIC_REPLY_AND_PRIVATE_MESSAGE: "súkromnými správami na stránke a verejnou odpoveďou",
            NO_REPLY_CHANNEL: "stránka neumožňuje firme odpovedať",
            "unknown": "nevedno: overte, čo stránka umožňuje",
        },
    },
    "ro": {
        "public_reply": [
            "Citiți recenzia și răspunsul deja publicat; notați într-o propoziție ce l-a supărat cel mai tare pe "
            "{name}.",
            "Răspundeți-i lui {name} printr-un singur răspuns public pe {source} înainte de {due}: este singura "
            "cale de a ajunge la el acolo, pentru că nimeni nu are adresa lui de e-mail sau numărul de telefon.",
            "Faceți-l personal și concret: folosiți-i numele și spuneți cu propriile cuvinte ce nu a mers pentru "
            "el, fără să dați vina pe cineva.",
            "Spuneți ce face compania în privința asta și când, în termeni pe care îi poate verifica (versiunea "
            "sau data la care apare remedierea). Promiteți doar ce este confirmat; verificați mai întâi cu echipa "
            "care răspunde de remediere.",
            "Dacă are nevoie de ajutor cu contul sau cu o comandă, dați în răspuns adresa sau pagina oficială de "
            "asistență și nu cereți niciodată în public date personale sau ale contului.",
            "Când apare versiunea care rezolvă problema, adăugați asta în răspuns; notați de acum acest pas "
            "următor în sarcină.",
            "Închideți sarcina cu rezultatul după ce răspunsul este publicat și pasul următor promis este făcut.",
        ],
        "private_message": [
            "Citiți recenzia și răspunsul deja publicat; notați într-o propoziție ce l-a supărat cel mai tare pe "
            "{name}.",
            "Scrieți-i personal lui {name} prin mesajele private de pe {source} înainte de {due}; în public spuneți "
            "doar pe scurt că i-ați scris.",
            "Începeți spunând ce ați înțeles că nu a mers și verificați: „Am înțeles corect că ...?” Apoi lăsați-l "
            "să răspundă, fără să-l întrerupeți și fără să apărați compania.",
            "Arătați, cu propriile cuvinte, că înțelegeți cum s-a simțit, și folosiți-i numele.",
            "Spuneți ce puteți face, nu ce nu puteți. Oferiți doar ce sigur se poate livra; verificați mai întâi "
            "cu echipa care răspunde de remediere.",
            "Stabiliți un singur pas următor cu o oră concretă (de exemplu „Vă scriu înapoi astăzi până la ora "
            "18”) și notați-l în sarcină; sunați doar dacă {name} vă dă un număr și cere un apel. Dacă termenul nu "
            "poate fi respectat, anunțați-l înainte de termen, dați noua oră și mulțumiți-i pentru răbdare.",
            "Închideți sarcina cu rezultatul după ce pasul stabilit a fost făcut.",
        ],
        "no_reply": [
            "Citiți recenzia; notați într-o propoziție ce l-a supărat cel mai tare pe {name}.",
            "{source} nu permite companiei să răspundă. Doar dacă recenzia menționează o comandă sau un tichet pe "
            "care compania le are, răspundeți-i lui {name} pe acel canal înainte de {due}; nu ghiciți alte căi de "
            "contact.",
            "Transmiteți problema echipei care răspunde de ea și închideți sarcina cu rezultatul: contactat prin "
            "canalul propriu al companiei sau fără acțiune dacă nu există nicio cale de a ajunge la el.",
        ],
        "public_private_contact": (
            "{source} are doar răspunsuri publice: pentru o discuție privată, invitați-l pe {name} în răspuns să "
            "scrie echipei de asistență la adresa sau pagina oficială și nu discutați niciodată în public detalii "
            "despre cont."
        ),
        "avoid_public_reply": [
            "Să promiteți un apel, un e-mail sau un mesaj privat: pe un site doar cu răspunsuri publice nimeni nu "
            "are datele de contact ale autorului.",
            "Date personale, despre comandă sau cont în răspunsul public.",
        ],
        "label": "Cum poate fi contactat",
        "names": {
            PUBLIC_REPLY_ONLY: "doar printr-un răspuns public (nimeni nu are e-mailul sau telefonul lui)",
            PUBLIC_REPLY_AND_PRIVATE_MESSAGE: "prin mesaje private pe site și prin răspunsul public",
            NO_REPLY_CHANNEL: "site-ul nu permite companiei să răspundă",
            "unknown": "necunoscut: verificați ce permite site-ul",
        },
    },
    "fi": {
        "public_reply": [
            "Lue arvio ja jo julkaistu vastaus; kirjoita yhdellä lauseella, mikä suututti asiakasta ({name}) eniten.",
            "Vastaa asiakkaalle ({name}) yhdellä julkisella vastauksella sivustolla {source} ennen määräaikaa "
            "{due}: se on ainoa tapa tavoittaa hänet siellä, sillä kenelläkään ei ole hänen sähköpostiosoitettaan "
            "eikä puhelinnumeroaan.",
            "Tee vastauksesta henkilökohtainen ja täsmällinen: käytä hänen nimeään ja kerro omin sanoin, mikä "
            "hänen kohdallaan meni vikaan, syyttämättä ketään.",
            "Kerro, mitä yritys asialle tekee ja milloin, niin että hän voi tarkistaa sen (versio tai päivä, "
            "jolloin korjaus julkaistaan). Lupaa vain vahvistettua; tarkista asia ensin korjauksesta vastaavalta "
            "tiimiltä.",
            "Jos hän tarvitsee apua tilinsä tai tilauksensa kanssa, anna vastauksessa tuen virallinen osoite tai "
            "sivu, äläkä koskaan pyydä henkilö- tai tilitietoja julkisesti.",
            "Kun korjauksen sisältävä versio on julkaistu, lisää se vastaukseen; kirjaa tämä jatkotoimi tehtävään "
            "jo nyt.",
            "Sulje tehtävä ja kirjaa lopputulos, kun vastaus on julkaistu ja luvattu jatkotoimi tehty.",
        ],
        "private_message": [
            "Lue arvio ja jo julkaistu vastaus; kirjoita yhdellä lauseella, mikä suututti asiakasta ({name}) eniten.",
            "Kirjoita asiakkaalle ({name}) henkilökohtaisesti sivuston {source} yksityisviesteillä ennen "
            "määräaikaa {due}; julkisesti kerro vain lyhyesti, että olet kirjoittanut hänelle.",
            "Aloita kertomalla, mitä ymmärsit menneen vikaan, ja varmista se: ”Ymmärsinkö oikein, että ...?” Anna "
            "hänen sitten vastata keskeyttämättä äläkä puolustele yritystä.",
            "Näytä omin sanoin, että ymmärrät, miltä tilanne tuntui, ja käytä asiakkaan nimeä.",
            "Kerro, mitä voit tehdä, älä sitä, mitä et voi. Tarjoa vain sitä, minkä varmasti pystyt toteuttamaan; "
            "tarkista asia ensin korjauksesta vastaavalta tiimiltä.",
            "Sovi yksi seuraava askel ja aika (esimerkiksi ”Kirjoitan teille tänään klo 18 mennessä”) ja kirjaa "
            "se tehtävään; soita vain, jos asiakas ({name}) antaa numeronsa ja pyytää puhelua. Jos aikataulu "
            "pettää, kerro siitä ennen määräaikaa, anna uusi aika ja kiitä kärsivällisyydestä.",
            "Sulje tehtävä ja kirjaa lopputulos, kun sovittu askel on tehty.",
        ],
        "no_reply": [
            "Lue arvio; kirjoita yhdellä lauseella, mikä suututti asiakasta ({name}) eniten.",
            "Sivusto {source} ei salli yrityksen vastata. Vain jos arviossa mainitaan yrityksen tuntema tilaus tai "
            "tukipyyntö, vastaa asiakkaalle ({name}) sitä kautta ennen määräaikaa {due}; älä arvaile muita "
            "yhteystapoja.",
            "Välitä ongelma siitä vastaavalle tiimille ja sulje tehtävä lopputuloksella: tavoitettu yrityksen omaa "
            "kanavaa pitkin, tai ei toimenpiteitä, jos häntä ei voi tavoittaa.",
        ],
        "public_private_contact": (
            "Sivustolla {source} voi vastata vain julkisesti: jos asiasta pitää puhua kahden kesken, pyydä "
            "vastauksessa asiakasta ({name}) kirjoittamaan yrityksen tukeen sen virallisen osoitteen tai sivun "
            "kautta, äläkä koskaan käsittele tilitietoja julkisesti."
        ),
        "avoid_public_reply": [
            "Puhelun, sähköpostin tai yksityisviestin lupaaminen: sivustolla, jolla voi vastata vain julkisesti, "
            "kenelläkään ei ole arvioijan yhteystietoja.",
            "Henkilö-, tilaus- tai tilitiedot julkisessa vastauksessa.",
        ],
        "label": "Miten hänet tavoittaa",
        "names": {
            PUBLIC_REPLY_ONLY: "vain julkisella vastauksella (kenelläkään ei ole hänen sähköpostiaan tai puhelintaan)",
            PUBLIC_REPLY_AND_PRIVATE_MESSAGE: "sivuston yksityisviesteillä ja julkisella vastauksella",
            NO_REPLY_CHANNEL: "sivusto ei salli yrityksen vastata",
            "unknown": "ei tiedossa: tarkista, mitä sivusto sallii",
        },
    },
    "tr": {
        "public_reply": [
            "Yorumu ve daha önce yayımlanan yanıtı okuyun; {name} adlı müşteriyi en çok neyin üzdüğünü tek "
            "cümleyle not edin.",
            "{name} adlı müşteriye {source} üzerinde, {due} tarihinden önce tek bir herkese açık yanıt verin: "
            "e-posta adresi veya telefon numarası kimsede olmadığından ona orada ulaşmanın tek yolu budur.",
            "Yanıtı kişisel ve somut yazın: adını kullanın ve onun için neyin ters gittiğini kimseyi suçlamadan "
            "kendi sözlerinizle söyleyin.",
            "Şirketin bu konuda ne yaptığını ve ne zaman yapacağını, onun kontrol edebileceği biçimde söyleyin "
            "(düzeltmenin çıkacağı sürüm veya tarih). Yalnızca kesinleşmiş olanı vaat edin; önce düzeltmeden "
            "sorumlu ekiple kontrol edin.",
            "Hesabı veya bir siparişiyle ilgili yardıma ihtiyacı varsa yanıtta resmî destek adresini veya "
            "sayfasını verin; herkese açık yerde asla kişisel bilgi veya hesap bilgisi istemeyin.",
            "Sorunu gideren sürüm yayımlandığında bunu yanıta ekleyin; bu takip adımını şimdiden göreve yazın.",
            "Yanıt yayımlanıp söz verilen takip adımı da tamamlanınca görevi sonucuyla kapatın.",
        ],
        "private_message": [
            "Yorumu ve daha önce yayımlanan yanıtı okuyun; {name} adlı müşteriyi en çok neyin üzdüğünü tek "
            "cümleyle not edin.",
            "{name} adlı müşteriye {due} tarihinden önce {source} üzerindeki özel mesajlarla kişisel olarak yazın; "
            "herkese açık yanıtta yalnızca kısaca ona yazdığınızı belirtin.",
            'Neyin yanlış gittiğini nasıl anladığınızı söyleyerek başlayın ve teyit edin: "Doğru anladıysam ...?" '
            "Sonra sözünü kesmeden yanıt vermesine izin verin ve şirketi savunmayın.",
            "Nasıl hissettiğini anladığınızı kendi sözlerinizle gösterin ve müşteriye adıyla hitap edin.",
            "Yapamayacaklarınızı değil, yapabileceklerinizi söyleyin. Yalnızca kesin yerine getirebileceğiniz bir "
            "çözüm önerin; önce çözümden sorumlu ekiple kontrol edin.",
            'Saati belli tek bir sonraki adımda anlaşın (örneğin "Size bugün saat 18:00\'e kadar yazacağım") ve '
            "bunu göreve yazın; yalnızca {name} numarasını verip arama isterse arayın. Yetişmeyecekse süre "
            "dolmadan haber verin, yeni saati bildirin ve sabrı için teşekkür edin.",
            "Kararlaştırılan adım tamamlanınca görevi sonucuyla kapatın.",
        ],
        "no_reply": [
            "Yorumu okuyun; {name} adlı müşteriyi en çok neyin üzdüğünü tek cümleyle not edin.",
            "{source} şirketin yanıt vermesine izin vermiyor. Yalnızca yorum, şirketin kayıtlarındaki bir siparişi "
            "veya destek talebini belirtiyorsa {name} ile {due} tarihinden önce o kanaldan iletişime geçin; başka "
            "iletişim yolları tahmin etmeyin.",
            "Sorunu sorumlu ekibe iletin ve görevi sonucuyla kapatın: şirketin kendi kanalından ulaşıldı ya da "
            "ulaşmanın bir yolu yoksa işlem yapılamaz.",
        ],
        "public_private_contact": (
            "{source} yalnızca herkese açık yanıtlara izin veriyor: özel olarak konuşmak için yanıtta {name} adlı "
            "müşteriyi resmî adres veya sayfa üzerinden şirketin desteğine yazmaya davet edin; hesap ayrıntılarını "
            "asla herkese açık yerde konuşmayın."
        ),
        "avoid_public_reply": [
            "Arama, e-posta veya özel mesaj sözü vermek: yalnızca herkese açık yanıtların olduğu bir sitede kimsede "
            "yorumcunun iletişim bilgileri yoktur.",
            "Herkese açık yanıtta kişisel, sipariş veya hesap bilgileri.",
        ],
        "label": "Nasıl ulaşılır",
        "names": {
            PUBLIC_REPLY_ONLY: "yalnızca herkese açık yanıtla (e-posta adresi veya telefon numarası kimsede yok)",
            PUBLIC_REPLY_AND_PRIVATE_MESSAGE: "sitedeki özel mesajlarla ve herkese açık yanıtla",
            NO_REPLY_CHANNEL: "site şirketin yanıt vermesine izin vermiyor",
            "unknown": "bilinmiyor: sitenin neye izin verdiğini kontrol edin",
        },
    },
    "he": {
        "public_reply": [
            "קראו את הביקורת ואת התגובה שכבר פורסמה; כתבו במשפט אחד מה הכי הרגיז את {name}.",
            "ענו ל-{name} בתגובה פומבית אחת ב-{source} לפני {due}: זו הדרך היחידה להגיע אליו שם, כי לאף אחד אין "
            "את כתובת המייל או את מספר הטלפון שלו.",
            "כתבו תגובה אישית וספציפית: פנו בשמו ואמרו במילים שלכם מה השתבש אצלו, בלי להאשים אף אחד.",
            "אמרו מה החברה עושה בנושא ומתי, באופן שאפשר לבדוק (הגרסה או התאריך שבו התיקון יוצא). הבטיחו רק מה "
            "שאושר; בדקו קודם עם הצוות שאחראי לתיקון.",
            "אם הוא צריך עזרה עם החשבון או עם הזמנה, תנו בתגובה את הכתובת או הדף הרשמיים של התמיכה, ולעולם אל "
            "תבקשו בפומבי פרטים אישיים או פרטי חשבון.",
            "כשהגרסה שמתקנת את הבעיה יוצאת, הוסיפו זאת לתגובה; רשמו כבר עכשיו את צעד ההמשך הזה במשימה.",
            "סגרו את המשימה עם התוצאה אחרי שהתגובה פורסמה וצעד ההמשך שהובטח בוצע.",
        ],
        "private_message": [
            "קראו את הביקורת ואת התגובה שכבר פורסמה; כתבו במשפט אחד מה הכי הרגיז את {name}.",
            "כתבו ל-{name} באופן אישי בהודעות הפרטיות של {source} לפני {due}; בפומבי ציינו רק בקצרה שכתבתם לו.",
            'פתחו במה שהבנתם שהשתבש ובדקו שהבנתם נכון: "אם הבנתי נכון, ...?" אחר כך תנו לו לענות בלי להפריע '
            "ובלי להגן על החברה.",
            "הראו במילים שלכם שאתם מבינים איך זה הרגיש, ופנו ללקוח בשמו.",
            "אמרו מה אתם יכולים לעשות, לא מה אי אפשר. הציעו רק מה שבטוח אפשר לקיים; בדקו קודם עם הצוות שאחראי לתיקון.",
            'סכמו צעד הבא אחד עם זמן מוגדר (למשל "אכתוב לך היום עד 18:00") ורשמו אותו במשימה; התקשרו רק אם '
            "{name} נותן מספר ומבקש שיחה. אם לא תעמדו בו, עדכנו לפני המועד, תנו זמן חדש והודו על הסבלנות.",
            "סגרו את המשימה עם התוצאה אחרי שהצעד שסוכם בוצע.",
        ],
        "no_reply": [
            "קראו את הביקורת; כתבו במשפט אחד מה הכי הרגיז את {name}.",
            "{source} לא מאפשר לחברה להגיב. רק אם הביקורת מזכירה הזמנה או פנייה שנמצאות אצל החברה, ענו ל-{name} "
            "בערוץ הזה לפני {due}; אל תנחשו דרכים אחרות ליצור קשר.",
            "העבירו את הבעיה לצוות האחראי וסגרו את המשימה עם התוצאה: נוצר קשר בערוץ של החברה, או שאין מה לעשות "
            "כשאין דרך להגיע אליו.",
        ],
        "public_private_contact": (
            "ב-{source} אפשר להגיב רק בפומבי: כדי לדבר באופן פרטי, הזמינו את {name} בתגובה לכתוב לתמיכה של החברה "
            "דרך הכתובת או הדף הרשמיים, ולעולם אל תדונו בפרטי חשבון בפומבי."
        ),
        "avoid_public_reply": [
            "להבטיח שיחה, מייל או הודעה פרטית: באתר שיש בו רק תגובות פומביות, לאף אחד אין את פרטי הקשר של כותב "
            "הביקורת.",
            "פרטים אישיים, פרטי הזמנה או פרטי חשבון בתגובה הפומבית.",
        ],
        "label": "איך מגיעים אליו",
        "names": {
            PUBLIC_REPLY_ONLY: "רק בתגובה פומבית (לאף אחד אין את המייל או הטלפון שלו)",
            PUBLIC_REPLY_AND_PRIVATE_MESSAGE: "בהודעות פרטיות באתר ובתגובה הפומבית",
            NO_REPLY_CHANNEL: "האתר לא מאפשר לחברה להגיב",
            "unknown": "לא ידוע: בדקו מה האתר מאפשר",
        },
    },
}


def _texts(code: str) -> dict[str, Any]:
    return cast(dict[str, Any], CHANNEL_TEXTS.get(code, CHANNEL_TEXTS["en"]))


def channel_steps(code: str, channel: str | None, standard: list[str]) -> list[str]:
    """The steps for reaching the reviewer on this channel (unfilled); the standard ones when it is not known."""
    key = _STEPS.get(channel or "")
    return list(standard) if key is None else list(_texts(code)[key])


def channel_extra_steps(code: str, channel: str | None, variants: Iterable[str]) -> list[str]:
    """A step on how to talk in private where the site has public replies only and a variant needs privacy."""
    if channel == PUBLIC_REPLY_ONLY and _NEEDS_PRIVATE & set(variants):
        return [str(_texts(code)["public_private_contact"])]
    return []


def channel_avoid(code: str, channel: str | None) -> list[str]:
    """What to avoid on this channel: promising a call or an e-mail nobody can make, details in public."""
    if channel == PUBLIC_REPLY_ONLY:
        return list(_texts(code)["avoid_public_reply"])
    return []


def channel_fact(code: str, channel: str | None) -> tuple[str, str] | None:
    """The case fact "How to reach them", or None when the channel is not known."""
    if channel is None:
        return None
    texts = _texts(code)
    names: dict[str, str] = texts["names"]
    return str(texts["label"]), names.get(channel, names["unknown"])
