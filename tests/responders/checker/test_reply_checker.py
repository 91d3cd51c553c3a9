"""Reply checker: each rule on real-looking drafts in each language, offsets, language handling, bad input."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

from responders.checker import check as check_module
from responders.checker.check import MAX_DRAFT_CHARS, RULE_IDS, check_reply, near_copy
from tests.fixture_path import fixture

# (language, rule, draft, expected offending phrase); the phrase must be exactly text[start:end].
POSITIVE = [
    # reflex_apology
    ("en", "reflex_apology", "We are sorry for the inconvenience. I will call you tomorrow.", "We are sorry"),
    ("sk", "reflex_apology", "Ospravedlňujeme sa za nepríjemnosti. Zavolám vám zajtra.", "Ospravedlňujeme"),
    ("ro", "reflex_apology", "Ne pare rău pentru neplăcere. Vă vom suna mâine.", "Ne pare rău"),
    ("fi", "reflex_apology", "Pahoittelemme aiheutunutta haittaa. Soitamme teille huomenna.", "Pahoittelemme"),
    ("tr", "reflex_apology", "Yaşanan aksaklık için özür dileriz. Yarın sizi arayacağız.", "özür dileriz"),
    ("he", "reflex_apology", "אנו מתנצלים על אי הנוחות. נחזור אליך מחר.", "אנו מתנצלים"),
    ("de", "reflex_apology", "Es tut uns leid für die Unannehmlichkeiten. Wir melden uns morgen.", "Es tut uns leid"),
    ("pt", "reflex_apology", "Pedimos desculpas pelo transtorno. Vamos ligar amanhã.", "Pedimos desculpas"),
    ("ru", "reflex_apology", "Приносим извинения за неудобства. Мы перезвоним завтра.", "Приносим извинения"),
    # blame_shift
    (
        "en",
        "blame_shift",
        "The courier was responsible for the delay. We will call you today.",
        "The courier was responsible",
    ),
    ("sk", "blame_shift", "Kuriér je zodpovedný za meškanie. Zavoláme vám dnes.", "Kuriér je zodpovedný"),
    ("ro", "blame_shift", "Curierul este responsabil pentru întârziere. Vă vom suna azi.", "Curierul este responsabil"),
    ("fi", "blame_shift", "Kuljetusyhtiö on vastuussa viivästyksestä. Soitamme tänään.", "Kuljetusyhtiö on vastuussa"),
    ("tr", "blame_shift", "Gecikmeden kargo firması sorumludur. Bugün sizi arayacağız.", "kargo firması sorumludur"),
    ("he", "blame_shift", "העיכוב נגרם בגלל חברת השילוח. נחזור אליך היום.", "בגלל חברת השילוח"),
    ("de", "blame_shift", "Das ist nicht unsere Schuld. Wir melden uns heute.", "nicht unsere Schuld"),
    (
        "pt",
        "blame_shift",
        "A transportadora é responsável pelo atraso. Vamos ligar hoje.",
        "A transportadora é responsável",
    ),
    ("ru", "blame_shift", "Задержка произошла по вине курьера. Мы перезвоним сегодня.", "по вине курьера"),
    # questions_customer
    (
        "en",
        "questions_customer",
        "According to our records you cancelled it. I will call you today.",
        "According to our records",
    ),
    (
        "sk",
        "questions_customer",
        "Podľa našich záznamov ste objednávku zrušili. Zavolám vám dnes.",
        "Podľa našich záznamov",
    ),
    (
        "ro",
        "questions_customer",
        "Conform evidențelor noastre ați anulat comanda. Vă vom suna azi.",
        "Conform evidențelor noastre",
    ),
    ("fi", "questions_customer", "Tietojemme mukaan peruitte tilauksen. Soitamme tänään.", "Tietojemme mukaan"),
    (
        "tr",
        "questions_customer",
        "Kayıtlarımıza göre siparişi siz iptal ettiniz. Bugün arayacağız.",
        "Kayıtlarımıza göre",
    ),
    ("he", "questions_customer", "לפי הרישומים שלנו ביטלת את ההזמנה. נחזור אליך היום.", "לפי הרישומים שלנו"),
    (
        "de",
        "questions_customer",
        "Laut unseren Unterlagen haben Sie storniert. Wir melden uns heute.",
        "Laut unseren Unterlagen",
    ),
    (
        "pt",
        "questions_customer",
        "De acordo com nossos registros você cancelou. Vamos ligar hoje.",
        "De acordo com nossos registros",
    ),
    ("ru", "questions_customer", "По нашим данным вы отменили заказ. Мы перезвоним сегодня.", "По нашим данным"),
    # unconfirmed_promise
    ("en", "unconfirmed_promise", "Anna, we will refund the full amount tomorrow.", "we will refund"),
    ("sk", "unconfirmed_promise", "Peniaze vám vrátime zajtra.", "vrátime zajtra"),
    ("ro", "unconfirmed_promise", "Veți primi banii mâine.", "Veți primi banii"),
    ("fi", "unconfirmed_promise", "Hyvitämme summan huomenna.", "Hyvitämme summan huomenna"),
    ("tr", "unconfirmed_promise", "Ücretinizi yarın iade edeceğiz.", "iade edeceğiz"),
    ("he", "unconfirmed_promise", "נחזיר לך את הכסף מחר.", "נחזיר לך את הכסף"),
    ("de", "unconfirmed_promise", "Sie erhalten morgen eine Erstattung.", "Sie erhalten morgen eine Erstattung"),
    ("pt", "unconfirmed_promise", "Vamos reembolsar o valor amanhã.", "Vamos reembolsar"),
    ("ru", "unconfirmed_promise", "Вы получите возврат завтра.", "Вы получите возврат"),
    # asks_review_change
    ("en", "asks_review_change", "Could you please update your review? I will call you today.", "update your review"),
    ("sk", "asks_review_change", "Mohli by ste upraviť svoju recenziu? Zavolám vám dnes.", "upraviť svoju recenziu"),
    ("ro", "asks_review_change", "Vă rugăm să modificați recenzia. Vă vom suna azi.", "modificați recenzia"),
    ("fi", "asks_review_change", "Voisitteko muuttaa arviotanne? Soitamme tänään.", "muuttaa arviotanne"),
    ("tr", "asks_review_change", "Lütfen yorumunuzu güncelleyin. Bugün arayacağız.", "yorumunuzu güncelleyin"),
    ("he", "asks_review_change", "נשמח אם תעדכן את הביקורת. נחזור אליך היום.", "תעדכן את הביקורת"),
    ("de", "asks_review_change", "Bitte ändern Sie Ihre Bewertung. Wir melden uns heute.", "ändern Sie Ihre Bewertung"),
    ("pt", "asks_review_change", "Pode alterar a sua avaliação? Vamos ligar hoje.", "alterar a sua avaliação"),
    ("ru", "asks_review_change", "Просим изменить ваш отзыв. Мы перезвоним сегодня.", "изменить ваш отзыв"),
    # generic_filler (no review given: the filler is nearly all the draft says)
    ("en", "generic_filler", "We value your feedback. I will call you today.", "We value your feedback"),
    ("sk", "generic_filler", "Vážime si vašu spätnú väzbu. Zavolám vám dnes.", "Vážime si vašu spätnú väzbu"),
    ("ro", "generic_filler", "Apreciem feedback-ul. Vă vom suna azi.", "Apreciem feedback-ul"),
    ("fi", "generic_filler", "Arvostamme palautettanne. Soitamme tänään.", "Arvostamme palautettanne"),
    (
        "tr",
        "generic_filler",
        "Geri bildiriminiz bizim için çok değerlidir. Bugün arayacağız.",
        "Geri bildiriminiz bizim için çok değerlidir",
    ),
    ("he", "generic_filler", "אנו מעריכים את המשוב. נחזור אליך היום.", "אנו מעריכים את המשוב"),
    (
        "de",
        "generic_filler",
        "Ihr Feedback ist uns sehr wichtig. Wir melden uns heute.",
        "Ihr Feedback ist uns sehr wichtig",
    ),
    ("pt", "generic_filler", "Seu feedback é muito importante. Vamos ligar hoje.", "Seu feedback é muito importante"),
    (
        "ru",
        "generic_filler",
        "Мы ценим ваш отзыв. Мы перезвоним сегодня.",
        "Мы ценим ваш отзыв",
    ),  # es, fr, id, ms, tl, vi: one draft per rule, written from the languages' usual reply phrasing
    ("es", "reflex_apology", "Lamentamos las molestias ocasionadas. Le llamaremos mañana.", "Lamentamos"),
    (
        "fr",
        "reflex_apology",
        "Nous sommes désolés pour la gêne occasionnée. Nous vous rappellerons demain.",
        "Nous sommes désolés",
    ),
    ("id", "reflex_apology", "Mohon maaf atas ketidaknyamanannya. Kami akan menghubungi Anda besok.", "Mohon maaf"),
    (
        "ms",
        "reflex_apology",
        "Kami memohon maaf atas kesulitan ini. Sila tunggu, kami akan menghubungi anda esok.",
        "Kami memohon maaf",
    ),
    (
        "tl",
        "reflex_apology",
        "Humihingi po kami ng paumanhin sa abala. Tatawagan po namin kayo bukas.",
        "Humihingi po kami ng paumanhin",
    ),
    (
        "vi",
        "reflex_apology",
        "Chúng tôi thành thật xin lỗi vì sự bất tiện này. Chúng tôi sẽ liên hệ lại vào ngày mai.",
        "Chúng tôi thành thật xin lỗi",
    ),
    (
        "es",
        "blame_shift",
        "El retraso fue culpa del repartidor, no nuestra. Le llamaremos hoy.",
        "fue culpa del repartidor",
    ),
    (
        "fr",
        "blame_shift",
        "Le retard est de la faute du livreur, pas la nôtre. Nous vous rappellerons aujourd'hui.",
        "de la faute du livreur",
    ),
    (
        "id",
        "blame_shift",
        "Pesanan Kakak telat karena kesalahan kurir. Kami akan menghubungi Kakak hari ini.",
        "kesalahan kurir",
    ),
    (
        "ms",
        "blame_shift",
        "Kelewatan ini berlaku kerana pihak kurier. Sila hubungi pihak kurier, kami akan menyemak hari ini.",
        "kerana pihak kurier",
    ),
    (
        "tl",
        "blame_shift",
        "Kasalanan po ito ng rider, hindi namin kasalanan. Tatawagan po namin kayo bukas.",
        "Kasalanan po ito ng rider",
    ),
    (
        "vi",
        "blame_shift",
        "Đơn hàng bị trễ là do lỗi của đơn vị vận chuyển. Chúng tôi sẽ liên hệ lại trong hôm nay.",
        "do lỗi của đơn vị vận chuyển",
    ),
    (
        "es",
        "questions_customer",
        "Según nuestros registros el pedido fue entregado. Le llamaremos hoy.",
        "Según nuestros registros",
    ),
    (
        "fr",
        "questions_customer",
        "D'après nos registres, la commande a été livrée. Nous vous rappellerons aujourd'hui.",
        "D'après nos registres",
    ),
    (
        "id",
        "questions_customer",
        "Berdasarkan data kami, pesanan sudah diterima. Kami akan menghubungi Anda hari ini.",
        "Berdasarkan data kami",
    ),
    (
        "ms",
        "questions_customer",
        "Mengikut rekod kami, pesanan anda telah dihantar kepada alamat anda. Kami akan menghubungi anda esok.",
        "Mengikut rekod kami",
    ),
    (
        "tl",
        "questions_customer",
        "Ayon sa aming records, naihatid na po ang order. Tatawagan po namin kayo bukas.",
        "Ayon sa aming records",
    ),
    (
        "vi",
        "questions_customer",
        "Theo dữ liệu của chúng tôi, đơn hàng đã được giao thành công. Chúng tôi sẽ gọi lại hôm nay.",
        "Theo dữ liệu của chúng tôi",
    ),
    ("es", "unconfirmed_promise", "Ana, le devolveremos el importe completo mañana.", "devolveremos"),
    (
        "fr",
        "unconfirmed_promise",
        "Anne, nous allons vous rembourser la totalité demain.",
        "nous allons vous rembourser",
    ),
    ("id", "unconfirmed_promise", "Dana Anda akan dikembalikan besok.", "Dana Anda akan dikembalikan"),
    ("ms", "unconfirmed_promise", "Bayaran balik akan dikreditkan kepada anda esok.", "Bayaran balik akan dikreditkan"),
    ("tl", "unconfirmed_promise", "Ibabalik namin ang inyong pera bukas.", "Ibabalik namin"),
    ("vi", "unconfirmed_promise", "Chúng tôi sẽ hoàn tiền cho chị vào ngày mai.", "Chúng tôi sẽ hoàn tiền"),
    ("es", "asks_review_change", "¿Podría modificar su valoración? Le llamaremos hoy.", "modificar su valoración"),
    (
        "fr",
        "asks_review_change",
        "Pourriez-vous modifier votre avis ? Nous vous rappellerons aujourd'hui.",
        "modifier votre avis",
    ),
    (
        "id",
        "asks_review_change",
        "Kak, tolong ubah rating-nya ya kalau sudah beres. Kami akan menghubungi Kakak hari ini.",
        "ubah rating",
    ),
    (
        "ms",
        "asks_review_change",
        "Sila kemas kini ulasan anda selepas ini. Kami akan menghubungi anda esok.",
        "kemas kini ulasan",
    ),
    (
        "tl",
        "asks_review_change",
        "Paki-update po ang inyong review kapag naayos na. Tatawagan po namin kayo bukas.",
        "Paki-update po ang inyong review",
    ),
    (
        "vi",
        "asks_review_change",
        "Mong chị cập nhật lại đánh giá giúp shop. Chúng tôi sẽ liên hệ lại hôm nay.",
        "cập nhật lại đánh giá",
    ),
    ("es", "generic_filler", "Valoramos mucho su opinión. Le llamaremos hoy.", "Valoramos mucho su opinión"),
    (
        "fr",
        "generic_filler",
        "Nous apprécions votre retour. Nous vous rappellerons aujourd'hui.",
        "Nous apprécions votre retour",
    ),
    (
        "id",
        "generic_filler",
        "Terima kasih atas ulasan yang Anda berikan. Kami akan menghubungi Anda hari ini.",
        "Terima kasih atas ulasan",
    ),
    (
        "ms",
        "generic_filler",
        "Terima kasih kerana memberi maklum balas. Kami akan menghubungi anda esok.",
        "Terima kasih kerana memberi maklum balas",
    ),
    (
        "tl",
        "generic_filler",
        "Salamat po sa inyong feedback. Tatawagan po namin kayo bukas.",
        "Salamat po sa inyong feedback",
    ),
    (
        "vi",
        "generic_filler",
        "Cảm ơn chị đã góp ý cho chúng tôi. Chúng tôi sẽ liên hệ lại hôm nay.",
        "Cảm ơn chị đã góp ý",
    ),
]

# Drafts that do the right thing; the named rule must stay silent.
NEGATIVE = [
    (
        "en",
        "reflex_apology",
        "I am sorry your parcel arrived two days late and the box was crushed. I will call you today.",
    ),
    ("sk", "reflex_apology", "Mrzí nás, že balík prišiel o dva dni neskôr a krabica bola poškodená. Zavolám vám dnes."),
    (
        "ro",
        "reflex_apology",
        "Ne pare rău că coletul a sosit cu două zile întârziere și cutia era strivită. Vă vom suna azi.",
    ),
    (
        "fi",
        "reflex_apology",
        "Olemme pahoillamme, että paketti saapui kaksi päivää myöhässä ja laatikko oli rikki. Soitamme tänään.",
    ),
    (
        "tr",
        "reflex_apology",
        "Paketin iki gün geç ulaşması ve kutunun ezilmesi için özür dileriz. Bugün sizi arayacağız.",
    ),
    ("he", "reflex_apology", "אנו מתנצלים שהחבילה הגיעה באיחור של יומיים והקופסה נמעכה. נחזור אליך היום."),
    ("en", "blame_shift", "I am sorry our courier did not deliver your parcel; I will call you today."),
    ("sk", "blame_shift", "Za meškanie zodpovedáme my. Zavolám vám dnes."),
    ("en", "questions_customer", "Could you send me the order number so I can find it? I will call you today."),
    ("he", "questions_customer", "תוכל לשלוח את מספר ההזמנה? נחזור אליך היום."),
    ("en", "unconfirmed_promise", "Once the warehouse confirms the return, we will refund the full amount."),
    ("sk", "unconfirmed_promise", "Po overení vám peniaze vrátime do piatku."),
    ("fi", "unconfirmed_promise", "Kun olemme tarkistaneet asian, hyvitämme summan."),
    ("tr", "unconfirmed_promise", "Kontrol edildikten sonra ücretinizi iade edeceğiz."),
    ("he", "unconfirmed_promise", "לאחר אישור נחזיר לך את הכסף."),
    ("en", "asks_review_change", "We will review your case and call you today."),
    ("ro", "asks_review_change", "Vă mulțumim pentru recenzie; vă vom suna azi."),
    ("en", "no_next_step", "I have asked the kitchen to check the order and I will call you by 6 pm today."),
    ("sk", "no_next_step", "Preveríme to a zavoláme vám zajtra."),
    ("ro", "no_next_step", "Vom verifica comanda și vă vom suna mâine."),
    ("fi", "no_next_step", "Selvitämme asian ja soitamme teille huomenna."),
    ("tr", "no_next_step", "Siparişinizi inceleyeceğiz ve yarın sizi arayacağız."),
    ("he", "no_next_step", "נבדוק את ההזמנה ונחזור אליך מחר."),
    ("en", "generic_filler", "The app crashing on the payment screen is a bug in version 4.2; I will call you today."),
    (
        "es",
        "reflex_apology",
        "Lamentamos que su pedido llegara con dos horas de retraso y la pizza fría. Le llamaremos hoy.",
    ),
    (
        "fr",
        "reflex_apology",
        (
            "Nous sommes désolés que votre colis soit arrivé avec deux jours de retard et la boîte abîmée. "
            "Nous vous rappellerons aujourd'hui."
        ),
    ),
    (
        "id",
        "reflex_apology",
        "Mohon maaf pesanan Anda terlambat dua jam dan makanannya dingin. Kami akan menghubungi Anda hari ini.",
    ),
    (
        "ms",
        "reflex_apology",
        "Kami memohon maaf kerana pesanan anda lewat dua jam dan makanan sejuk. Kami akan menghubungi anda esok.",
    ),
    (
        "tl",
        "reflex_apology",
        "Pasensya na po at dalawang oras na late ang order at malamig na ang pagkain. Tatawagan po namin kayo bukas.",
    ),
    (
        "vi",
        "reflex_apology",
        "Chúng tôi xin lỗi vì đơn hàng của chị giao trễ hai tiếng và đồ ăn bị nguội. Chúng tôi sẽ gọi lại hôm nay.",
    ),
    ("es", "blame_shift", "Lamentamos que nuestro repartidor no llegara a su casa. Le llamaremos hoy."),
    (
        "fr",
        "blame_shift",
        "Nous sommes désolés que notre livreur n'a pas livré votre colis. Nous vous rappellerons aujourd'hui.",
    ),
    ("id", "blame_shift", "Mohon maaf kurir kami tidak datang ke alamat Anda. Kami akan menghubungi Anda hari ini."),
    ("ms", "blame_shift", "Kami memohon maaf kerana penghantar kami tidak datang. Kami akan menghubungi anda esok."),
    ("tl", "blame_shift", "Pasensya na po dahil sa aming rider na hindi dumating. Tatawagan po namin kayo bukas."),
    (
        "vi",
        "blame_shift",
        "Chúng tôi xin lỗi vì shipper của chúng tôi đã giao nhầm địa chỉ. Chúng tôi sẽ gọi lại hôm nay.",
    ),
    ("es", "questions_customer", "¿Podría enviarnos el número de pedido para localizarlo? Le llamaremos hoy."),
    (
        "fr",
        "questions_customer",
        "Pourriez-vous nous envoyer le numéro de commande ? Nous vous rappellerons aujourd'hui.",
    ),
    ("id", "questions_customer", "Boleh dibantu kirimkan nomor pesanan Anda? Kami akan menghubungi Anda hari ini."),
    ("ms", "questions_customer", "Boleh kongsikan nombor pesanan anda? Kami akan menghubungi anda esok."),
    ("tl", "questions_customer", "Pwede po bang ipadala ang order number ninyo? Tatawagan po namin kayo bukas."),
    (
        "vi",
        "questions_customer",
        "Chị có thể gửi mã đơn hàng để chúng tôi kiểm tra không? Chúng tôi sẽ gọi lại hôm nay.",
    ),
    # "debió llegar", "vous avez dû attendre", "seharusnya menerima", "chắc chắn đã": our failure, said kindly
    ("es", "questions_customer", "Su pedido debió llegar a las 13:00 y no llegó; le llamaré hoy."),
    ("fr", "questions_customer", "Vous avez dû attendre deux heures, c'est inacceptable ; je vous appellerai demain."),
    ("id", "questions_customer", "Kakak seharusnya menerima pesanan pukul 12; kami akan menghubungi Kakak hari ini."),
    ("vi", "questions_customer", "Chị chắc chắn đã rất bực khi chờ hai tiếng; chúng tôi sẽ gọi lại hôm nay."),
    ("es", "unconfirmed_promise", "Una vez que el almacén confirme la devolución, le devolveremos el importe."),
    ("fr", "unconfirmed_promise", "Après vérification par l'entrepôt, nous allons vous rembourser."),
    ("id", "unconfirmed_promise", "Setelah dikonfirmasi oleh tim kami, dana Anda akan dikembalikan."),
    ("ms", "unconfirmed_promise", "Selepas semakan selesai, bayaran balik anda akan dikreditkan."),
    ("tl", "unconfirmed_promise", "Kapag nakumpirma na, ibabalik namin ang inyong pera."),
    (
        "tl",
        "unconfirmed_promise",
        "Ibabalik namin ang pera kapag nakumpirma na. Ipapadala namin ang tamang order ngayong hapon.",
    ),
    ("vi", "unconfirmed_promise", "Sau khi kiểm tra xong, chúng tôi sẽ hoàn tiền cho chị."),
    ("es", "asks_review_change", "Gracias por su reseña; le llamaremos hoy."),
    ("fr", "asks_review_change", "Merci pour votre avis ; nous vous rappellerons aujourd'hui."),
    ("id", "asks_review_change", "Terima kasih atas ulasannya; kami akan menghubungi Anda hari ini."),
    ("ms", "asks_review_change", "Terima kasih atas ulasan anda; kami akan menghubungi anda esok."),
    ("tl", "asks_review_change", "Salamat po sa inyong review; tatawagan po namin kayo bukas."),
    ("vi", "asks_review_change", "Cảm ơn chị đã đánh giá; chúng tôi sẽ gọi lại hôm nay."),
    ("es", "no_next_step", "Revisaremos el pedido y le llamaremos mañana."),
    ("fr", "no_next_step", "Nous allons vérifier la commande et nous vous appellerons demain."),
    ("id", "no_next_step", "Kami akan mengecek pesanan dan menghubungi Anda besok."),
    ("ms", "no_next_step", "Kami akan menyemak pesanan dan menghubungi anda esok."),
    ("tl", "no_next_step", "Susuriin namin ang order at tatawagan ka namin bukas."),
    ("vi", "no_next_step", "Chúng tôi sẽ kiểm tra đơn hàng và gọi lại cho chị vào ngày mai."),
    ("es", "generic_filler", "El cobro doble en su tarjeta es un fallo de la versión 4.2; le llamaré hoy."),
    (
        "fr",
        "generic_filler",
        "Le double débit sur votre carte vient de la version 4.2 ; je vous appellerai aujourd'hui.",
    ),
    ("id", "generic_filler", "Tagihan ganda di kartu Anda adalah bug versi 4.2; kami akan menghubungi Anda hari ini."),
    ("ms", "generic_filler", "Caj berganda pada kad anda ialah pepijat versi 4.2; kami akan menghubungi anda esok."),
    ("tl", "generic_filler", "Ang dobleng singil sa inyong card ay bug ng version 4.2; tatawagan ka namin bukas."),
    (
        "vi",
        "generic_filler",
        "Việc thẻ của chị bị trừ tiền hai lần là lỗi của phiên bản 4.2; chúng tôi sẽ gọi lại hôm nay.",
    ),
]

NO_NEXT_STEP = {
    "en": "Sorry to hear that. Please reach out via the Help Centre.",
    "sk": "Mrzí nás to. Prosím, obráťte sa na zákaznícky servis.",
    "ro": "Ne pare rău. Vă rugăm să contactați serviciul clienți.",
    "fi": "Olemme pahoillamme. Ottakaa yhteyttä asiakaspalveluun.",
    "tr": "Çok üzgünüz. Lütfen müşteri hizmetlerine yazın.",
    "he": "אנו מצטערים. אנא פנו לשירות הלקוחות.",
    "es": "Lamentamos lo ocurrido. Por favor, escríbanos por el chat de la aplicación.",
    "fr": "Nous sommes désolés. Merci de passer par le formulaire de contact.",
    "id": "Mohon maaf atas kendalanya. Silakan hubungi layanan pelanggan melalui aplikasi.",
    "ms": "Kami memohon maaf. Sila hubungi khidmat pelanggan melalui aplikasi.",
    "tl": "Pasensya na po sa abala. Mag-message po kayo sa customer service sa app.",
    "vi": "Chúng tôi rất tiếc về sự cố này. Chị vui lòng nhắn tin cho bộ phận chăm sóc khách hàng.",
}


# A specific, personal reply with a commitment and a time: no rule has anything to say about it.
GOOD = [
    (
        "es",
        "Ana",
        (
            "Hola Ana, tu pedido llegó con dos horas de retraso y la pizza fría; no es lo que esperabas. "
            "Ya hablé con la cocina y te llamaré hoy antes de las 18:00 para contarte qué pasó."
        ),
    ),
    (
        "fr",
        "Anne",
        (
            "Bonjour Anne, votre colis est arrivé avec deux jours de retard et la boîte abîmée. "
            "J'ai ouvert une enquête auprès de notre entrepôt et je vous appellerai demain avant midi avec la réponse."
        ),
    ),
    (
        "id",
        "Rina",
        (
            "Halo Kak Rina, pesanan Kakak datang terlambat dua jam dan makanannya sudah dingin. "
            "Saya sudah meneruskan kasus ini ke tim dapur dan akan menghubungi Kakak hari ini sebelum pukul 17."
        ),
    ),
    (
        "ms",
        "Aisyah",
        (
            "Hai Aisyah, pesanan anda sampai lewat dua jam dan makanan sudah sejuk. "
            "Saya sudah memaklumkan dapur kami dan akan menghubungi anda dalam masa 24 jam dengan jawapan."
        ),
    ),
    (
        "tl",
        "Maria",
        (
            "Hi Maria, dalawang oras na late ang order mo at malamig na ang pagkain. "
            "Kinausap ko na ang aming kusina at tatawagan kita bukas ng umaga para ipaliwanag ang nangyari."
        ),
    ),
    (
        "vi",
        "Lan",
        (
            "Chào chị Lan, đơn hàng của chị giao trễ hai tiếng và đồ ăn bị nguội. "
            "Em đã báo cho bếp kiểm tra và sẽ gọi lại cho chị trong hôm nay trước 17 giờ."
        ),
    ),
]

NEW_LANGUAGES = ("es", "fr", "id", "ms", "tl", "vi")


def _spans(text: str, rule: str, **kwargs: object) -> list[str]:
    result = check_reply(text, **kwargs)  # type: ignore[arg-type]
    return [text[f.start : f.end] for f in result.findings if f.rule == rule]


@pytest.mark.parametrize(("lang", "rule", "text", "phrase"), POSITIVE)
def test_rule_fires_on_the_offending_phrase(lang: str, rule: str, text: str, phrase: str) -> None:
    assert phrase in _spans(text, rule, language=lang)


@pytest.mark.parametrize(("lang", "rule", "text", "phrase"), POSITIVE)
def test_language_is_detected(lang: str, rule: str, text: str, phrase: str) -> None:
    result = check_reply(text)
    assert result.language == lang
    assert result.notes == []  # its phrase rules ran


@pytest.mark.parametrize(("lang", "rule", "text"), NEGATIVE)
def test_rule_stays_silent_on_good_drafts(lang: str, rule: str, text: str) -> None:
    # Silence counts only when the language's phrase rules ran (no "No phrase rules" note).
    assert check_reply(text, language=lang).notes == []
    assert _spans(text, rule, language=lang) == []


@pytest.mark.parametrize(("lang", "text"), sorted(NO_NEXT_STEP.items()))
def test_no_next_step_covers_the_whole_draft(lang: str, text: str) -> None:
    assert _spans(text, "no_next_step", language=lang) == [text]


@pytest.mark.parametrize(
    ("text", "phrases"),
    [
        (
            "Hi Anna, it is the courier's fault, not ours. Please contact them.",
            ["the courier's fault", "not ours", "Please contact them"],
        ),
        (
            "The fault lies with the restaurant. You can contact them directly.",
            ["fault lies with the restaurant", "You can contact them"],
        ),
        ("It was the driver, not us. Contact the restaurant directly.", ["not us", "Contact the restaurant"]),
        # Next to the blame, what is not blame: a redirect to an address, our own call, a possessive that is no fault.
        (
            "It is the courier's fault. Our support team is online all day; please contact them at help@example.com.",
            ["the courier's fault"],
        ),
        (
            "That is the restaurant's mistake. I will contact the restaurant today and ask the courier's depot too.",
            ["the restaurant's mistake"],
        ),
    ],
)
def test_blame_on_a_third_party_by_possessive_denial_or_redirect(text: str, phrases: list[str]) -> None:
    assert _spans(text, "blame_shift", language="en") == phrases


@pytest.mark.parametrize(("lang", "name", "text"), GOOD)
def test_a_specific_personal_reply_is_clean_and_its_language_detected(lang: str, name: str, text: str) -> None:
    result = check_reply(text, name=name)
    assert result.language == lang
    assert [(f.rule, text[f.start : f.end]) for f in result.findings] == []
    assert result.notes == []


@pytest.mark.parametrize("lang", NEW_LANGUAGES)
def test_new_languages_have_phrase_rules(lang: str) -> None:
    result = check_reply("Hola. Bonjour. Halo. Salamat. Cảm ơn.", language=lang)
    assert result.language == lang
    assert not any("No phrase rules" in note for note in result.notes)


@pytest.mark.parametrize(
    ("code", "lang"), [("fil", "tl"), ("fil-PH", "tl"), ("in", "id"), ("es-MX", "es"), ("ms_MY", "ms")]
)
def test_regional_and_old_codes_reach_the_language_rules(code: str, lang: str) -> None:
    result = check_reply("Gracias.", language=code)
    assert result.language == lang and result.notes == []


def test_taglish_draft_gets_the_filipino_and_the_english_rules() -> None:
    text = (
        "Hi Maria, pasensya na po sa abala. According to our records, na-deliver na po ang order ninyo kahapon. "
        "Paki-update po ang inyong review. Tatawagan ka namin bukas."
    )
    result = check_reply(text, name="Maria")
    assert result.language == "tl"
    found = {(f.rule, text[f.start : f.end]) for f in result.findings}
    assert ("questions_customer", "According to our records") in found
    assert ("asks_review_change", "Paki-update po ang inyong review") in found


@pytest.mark.parametrize(
    ("lang", "text", "phrases"),
    [
        (
            "es",
            "No es nuestra culpa. Por favor, contacte directamente con el restaurante.",
            ["No es nuestra culpa", "contacte directamente con el restaurante"],
        ),
        (
            "fr",
            "Ce n'est pas notre faute. Veuillez contacter directement le livreur.",
            ["pas notre faute", "Veuillez contacter directement le livreur"],
        ),
        (
            "id",
            "Bukan kesalahan kami. Silakan hubungi pihak kurir langsung ya Kak.",
            ["Bukan kesalahan kami", "Silakan hubungi pihak kurir"],
        ),
        (
            "ms",
            "Ini bukan salah kami. Sila hubungi syarikat penghantaran.",
            ["bukan salah kami", "Sila hubungi syarikat penghantaran"],
        ),
        (
            "tl",
            "Hindi po namin kasalanan. Pakicontact na lang po ang rider.",
            ["Hindi po namin kasalanan", "Pakicontact na lang po ang rider"],
        ),
        (
            "vi",
            "Không phải lỗi của chúng tôi. Chị vui lòng liên hệ trực tiếp với đơn vị vận chuyển.",
            ["Không phải lỗi của chúng tôi", "vui lòng liên hệ trực tiếp với đơn vị vận chuyển"],
        ),
    ],
)
def test_denying_fault_and_sending_the_customer_elsewhere_is_blame(lang: str, text: str, phrases: list[str]) -> None:
    assert _spans(text, "blame_shift", language=lang) == phrases


@pytest.mark.parametrize(
    ("lang", "text", "phrase"),
    [
        ("en", "Sorry, but it is the courier's fault, not ours. I will call you today.", "the courier's fault"),
        ("en", "We apologise, this was beyond our control. I will call you today.", "beyond our control"),
        ("en", "Sorry about that, please contact the restaurant directly.", "please contact the restaurant"),
        ("es", "Lo sentimos, pero no es nuestra culpa. Le llamaremos hoy.", "no es nuestra culpa"),
        ("fr", "Nous sommes désolés, mais ce n'est pas notre faute. Nous vous rappellerons demain.", "pas notre faute"),
        ("id", "Mohon maaf, ini bukan kesalahan kami. Kami akan menghubungi Anda hari ini.", "bukan kesalahan kami"),
        ("ms", "Kami memohon maaf, sila hubungi syarikat penghantaran.", "sila hubungi syarikat penghantaran"),
        ("tl", "Pasensya na po, hindi po namin kasalanan. Tatawagan ka namin bukas.", "hindi po namin kasalanan"),
        (
            "vi",
            "Chúng tôi xin lỗi, nhưng đây là lỗi của đơn vị vận chuyển. Chúng tôi sẽ gọi lại hôm nay.",
            "là lỗi của đơn vị vận chuyển",
        ),
    ],
)
def test_denying_fault_next_to_an_apology_is_still_blame(lang: str, text: str, phrase: str) -> None:
    # Ownership is a failure named inside an apology; "sorry, but it is not our fault" is not that.
    assert phrase in _spans(text, "blame_shift", language=lang)


def test_contact_address_counts_as_a_next_step() -> None:
    assert _spans("Sorry about the cold food, Anna. Write to help@example.com.", "no_next_step") == []


def test_apology_only_draft_is_flagged_as_a_whole() -> None:
    text = "Thank you for your feedback. We are sorry. Warm regards, Team"
    result = check_reply(text)
    apology = [f for f in result.findings if f.rule == "reflex_apology"]
    assert len(apology) == 1 and text[apology[0].start : apology[0].end] == text
    assert "nothing but apology" in apology[0].message


def test_specific_apology_matching_the_review_is_not_reflex() -> None:
    review = "The delivery was late again."
    assert _spans("Sorry for the delivery mess. We will call today.", "reflex_apology", review_text=review) == []


@pytest.mark.parametrize(
    ("name", "text", "missing"),
    [
        ("Anna Novak", "Hi Anna, I will call you today.", False),
        ("Anna Novak", "Hello, I will call you today.", True),
        ("Matti", "Hei Mattille soitamme huomenna.", False),  # Finnish case ending
        ("Ján", "Dobrý deň, Jane, zavoláme vám dnes.", False),  # Slovak vocative, accent-insensitive
        ("דנה", "שלום לדנה, נחזור אלייך היום.", False),  # Hebrew prefix letter
        ("jolenetan88", "Hi Jolene, I will call you today.", False),  # site handle
        ("Lindi", "Dear Ms Smuts, I will call you today.", False),  # title and surname
        ("Ali", "Merhaba, yarın arayacağız.", True),
        ("Ana", "Estimada Sra. García, le llamaré hoy.", False),  # Spanish title and surname
        ("Anne", "Bonjour Mme Dubois, je vous appellerai demain.", False),  # French title and surname
        ("Pierre", "Bonjour M. Dubois, je vous appellerai demain.", False),  # French "M." with its full stop
        ("Aisyah", "Puan Rahman, kami akan menghubungi anda esok.", False),  # Malay title and surname
    ],
)
def test_missing_name(name: str, text: str, missing: bool) -> None:
    spans = _spans(text, "missing_name", name=name)
    assert bool(spans) is missing
    if missing:
        assert text.startswith(spans[0])


def test_offsets_are_exact_on_hebrew_with_direction_marks() -> None:
    text = "\u200fשלום,\u200f לפי הרישומים שלנו\u200e לא הזמנת. נחזור אליך היום."
    spans = _spans(text, "questions_customer")
    assert spans == ["לפי הרישומים שלנו"]


def test_offsets_survive_zero_width_characters_inside_a_phrase() -> None:
    text = "Hi Tom. Accord\u200bing to our records you cancelled. I will call you today."
    result = check_reply(text, name="Tom")
    finding = next(f for f in result.findings if f.rule == "questions_customer")
    assert text[finding.start : finding.end] == "Accord\u200bing to our records"


def test_letters_typed_as_base_letter_and_accent_marks_match_and_offsets_cover_the_marks() -> None:
    text = unicodedata.normalize(
        "NFD", "Chúng tôi thành thật xin lỗi vì sự bất tiện này. Chúng tôi sẽ gọi lại hôm nay."
    )
    assert len(text) > len(unicodedata.normalize("NFC", text))
    result = check_reply(text, language="vi")
    spans = [(f.rule, text[f.start : f.end]) for f in result.findings]
    assert spans == [("reflex_apology", unicodedata.normalize("NFD", "Chúng tôi thành thật xin lỗi"))]


def test_vietnamese_typed_without_tone_marks_still_has_its_next_step() -> None:
    text = "Chao chi Lan, don hang giao tre hai tieng. Chung toi se goi lai cho chi trong hom nay."
    assert check_reply(text, language="vi").notes == []  # the Vietnamese rules ran
    assert _spans(text, "no_next_step", language="vi") == []


def test_curly_apostrophes_match() -> None:
    assert _spans("We\u2019ll refund you tomorrow, Sam.", "unconfirmed_promise") == ["We\u2019ll refund"]


def test_near_copy_ignores_greetings_names_and_numbers() -> None:
    template = "Hi Rajan, we regret the inconvenience caused to you. Please write to us and we will help. Ref 123."
    draft = "Hi Mohammed Rafi, we regret the inconvenience caused to you. Please write to us and we will help. Ref 98."
    assert near_copy(draft, ["Totally unrelated text about pizza toppings.", template]) == (1, 1.0)
    assert near_copy("I have asked our kitchen why your curry was cold; I will call you at six.", [template]) is None


def test_template_copy_against_known_templates_and_recent_replies() -> None:
    known = ["We are sorry to hear about your experience. Please reach out to us via the Help Centre."]
    draft = "We are so sorry to hear about your experience. Please reach out to us via the Help Centre, Tom."
    result = check_reply(draft, known_templates=known)
    assert "template_copy" in result.rules
    assert "known template #1" in next(f.message for f in result.findings if f.rule == "template_copy")
    mine = check_reply(draft, recent_replies=["x y z", known[0]])
    assert "your recent reply #2" in next(f.message for f in mine.findings if f.rule == "template_copy")


def test_real_template_copies_are_recognised() -> None:
    rows = [json.loads(line) for line in fixture("checker", "real_replies.jsonl").read_text().splitlines()]
    replies = [row["reply"] for row in rows]
    exact = [i for i, reply in enumerate(replies) if replies.count(reply) > 1]
    assert exact, "the fixture holds repeated real replies"
    for i in exact:
        others = replies[:i] + replies[i + 1 :]
        hit = near_copy(replies[i], others)
        assert hit is not None and others[hit[0]] == replies[i]
    unique = [i for i, reply in enumerate(replies) if len(reply) > 200 and replies.count(reply) == 1]
    assert any(near_copy(replies[i], replies[:i] + replies[i + 1 :]) is None for i in unique)


def test_off_topic_draft_is_generic_filler_when_review_is_given() -> None:
    review = "The app charged my card twice for one ride and support never answered my emails."
    draft = "Hi Tom, thanks for reaching out. Please drop us a note on social media so our team can assist."
    assert _spans(draft, "generic_filler", name="Tom", review_text=review) == [draft]
    on_topic = "Hi Tom, the double charge on your card is being reversed; I will email you today."
    assert _spans(on_topic, "generic_filler", name="Tom", review_text=review) == []


def test_unsupported_language_runs_only_language_independent_checks() -> None:
    text = "申し訳ございません。すぐに対応いたします。"
    result = check_reply(text, language="ja", name="Yuki", known_templates=[text])
    assert result.language == "ja"
    assert result.rules == {"template_copy", "missing_name"}
    assert any("ja" in note for note in result.notes)


def test_undetectable_language_is_noted() -> None:
    result = check_reply("12345 !!!")
    assert result.language is None and result.notes


def test_rule_ids_are_the_public_contract() -> None:
    assert set(RULE_IDS) == {
        "template_copy", "reflex_apology", "blame_shift", "questions_customer", "no_next_step",
        "unconfirmed_promise", "missing_name", "asks_review_change", "generic_filler",
    }  # fmt: skip
    text = "Sorry. According to our records you must have cancelled. Please delete your review."
    assert check_reply(text, name="Eva").rules <= set(RULE_IDS)


@pytest.mark.parametrize("text", ["", "   \n\t "])
def test_empty_draft_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="the draft is empty"):
        check_reply(text)


def test_huge_draft_is_refused_naming_the_limit() -> None:
    with pytest.raises(ValueError, match="20,000"):
        check_reply("a" * (MAX_DRAFT_CHARS + 1))


def test_review_text_is_never_evaluated() -> None:
    hostile = "__import__('os').system('echo pwned') {name} %s"
    result = check_reply("We will call you today about {name}.", review_text=hostile, name="{name}")
    assert "missing_name" not in result.rules


# -- the `check-reply` command -----------------------------------------------------------------------


def _run(args: list[str], stdin: str | None = None) -> tuple[int, str, str]:
    from typer.testing import CliRunner

    from monitor.cli.main import app

    result = CliRunner().invoke(app, ["check-reply", *args], input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_cli_json_output_has_exact_offsets(tmp_path: Path) -> None:
    draft = "Sorry. According to our records you cancelled. Please delete your review."
    path = tmp_path / "draft.txt"
    path.write_text(draft, encoding="utf-8")
    code, out, _ = _run([str(path), "--json", "--name", "Eva"])
    assert code == 0
    data = json.loads(out)
    assert data["language"] == "en"
    rules = {f["rule"]: draft[f["start"] : f["end"]] for f in data["findings"]}
    assert rules["questions_customer"] == "According to our records"
    assert rules["asks_review_change"] == "delete your review"
    assert set(data["findings"][0]) == {"rule", "start", "end", "message", "suggestion"}


def test_cli_reads_stdin_and_escapes_markup() -> None:
    code, out, _ = _run(["-", "--lang", "en"], stdin="[bold]We value your feedback[/bold]. Thank you.")
    assert code == 0
    assert "generic_filler" in out and "[bold]We value" in out


def test_cli_uses_the_review_file(tmp_path: Path) -> None:
    review = tmp_path / "review.txt"
    review.write_text("The app charged my card twice and support never answered my emails.", encoding="utf-8")
    draft = tmp_path / "draft.txt"
    draft.write_text("Hi, thanks for reaching out. Please drop us a note on social media.", encoding="utf-8")
    code, out, _ = _run([str(draft), "--review", str(review), "--json"])
    assert code == 0 and "generic_filler" in {f["rule"] for f in json.loads(out)["findings"]}


def test_cli_clean_draft_says_so(tmp_path: Path) -> None:
    path = tmp_path / "ok.txt"
    path.write_text("Hi Eva, your parcel left our depot late; I will call you by 5 pm today.", encoding="utf-8")
    code, out, _ = _run([str(path), "--name", "Eva"])
    assert code == 0 and "No problems found" in out


def test_cli_known_templates_are_passed_through(tmp_path: Path) -> None:
    from monitor.cli.check import run_check_reply

    template = "We are sorry to hear about your experience. Please reach out to us via the Help Centre."
    path = tmp_path / "draft.txt"
    path.write_text(template, encoding="utf-8")
    assert run_check_reply(str(path), json_out=True, known_templates=[template]) == 0


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["-"], "   ", "the draft is empty"),
        (["/no/such/draft.txt"], None, "no such file"),
        (["-"], "x" * (MAX_DRAFT_CHARS + 5), "20,000"),
    ],
)
def test_cli_bad_input_exits_2(args: list[str], stdin: str | None, message: str) -> None:
    code, out, err = _run(args, stdin)
    assert code == 2
    assert message in err and out == ""


def test_cli_rejects_non_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("Já lamento".encode("latin-1"))
    code, _, err = _run([str(path)])
    assert code == 2 and "not UTF-8" in err


def test_short_drafts_the_detector_leaves_open_fall_back_to_the_rule_stopwords(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(check_module, "detect_language", lambda text: None)
    for lang, _rule, text, _phrase in POSITIVE:
        assert check_reply(text).language == lang, text


@pytest.mark.parametrize(
    ("text", "lang"), [("Ďakujem, Peter.", "sk"), ("İyi günler, Ayşe!", "tr"), ("Mulțumim, Ana!", "ro")]
)
def test_a_few_words_with_telling_letters_are_enough(text: str, lang: str) -> None:
    assert check_reply(text).language == lang


@pytest.mark.parametrize(
    ("draft", "name"),
    [
        ("Zoe, thank you for telling us the app crashes; version 4.2 fixes it on Friday.", "Zoë"),
        ("Şükrü, siparişiniz yarın 10:00'da teslim edilecek; kuryeyi ben takip ediyorum.", "Sukru"),
        ("احمد، شكرا لك. سنعيد المبلغ إلى بطاقتك يوم الخميس وسأتابع ذلك بنفسي.", "أحمد"),
    ],
)
def test_a_name_is_found_however_its_accents_and_letter_forms_are_written(draft: str, name: str) -> None:
    # One folding for the whole product (monitor.text.words.fold): accents, Turkish dotted letters, Arabic alef forms.
    found = check_reply(draft, name=name)
    assert "missing_name" not in {f.rule for f in found.findings}
