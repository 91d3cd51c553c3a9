"""Turkish guidance texts."""

from __future__ import annotations

TEXTS: dict[str, object] = {
    "standard": [
        "Yorumu ve daha önce yayımlanan yanıtı okuyun; {name} adlı müşteriyi en çok neyin üzdüğünü tek cümleyle "
        "not edin.",
        "{name} ile {source} sitesinin izin verdiği kanaldan, {due} tarihinden önce kişisel olarak iletişime geçin.",
        'Neyin yanlış gittiğini nasıl anladığınızı söyleyerek başlayın ve teyit edin: "Doğru anladıysam ...?" '
        "Sonra müşteriyi sözünü kesmeden dinleyin ve şirketi savunmayın.",
        "Nasıl hissettiğini anladığınızı kendi sözlerinizle gösterin ve müşteriye adıyla hitap edin.",
        "Yapamayacaklarınızı değil, yapabileceklerinizi söyleyin. Yalnızca kesin yerine getirebileceğiniz bir "
        "çözüm önerin; önce çözümden sorumlu ekiple kontrol edin.",
        'Saati belli tek bir sonraki adımda anlaşın (örneğin "Sizi bugün saat 18:00\'e kadar geri arayacağım") '
        "ve bunu göreve yazın. Yetişmeyecekse süre dolmadan {name} ile iletişime geçin, yeni saati bildirin ve "
        "sabrı için teşekkür edin.",
        "Kararlaştırılan adım tamamlanınca görevi sonucuyla kapatın.",
    ],
    "abusive": [
        "Hakaretlere ne herkese açık ne de özel olarak karşılık verin. Sakin ve profesyonel kalın.",
        "Kuralları bir kez açıkça söyleyin: sorunu çözmek istiyorsunuz ve hakaret olmadan konuşulabildiği anda "
        "devam edeceksiniz.",
        "Konuyu resmi, yazılı bir kanala taşıyın: {name} adlı müşteriden durumu varsa kanıtlarıyla birlikte "
        "şirket adresine e-postayla anlatmasını isteyin ve ne zaman yanıt alacağını bildirin.",
        "Şikâyeti yargılamadan özetleyin ve özetin doğru olup olmadığını sorun.",
    ],
    "legal": [
        "Bekleyin: herkese açık yanıt yayımlamayın ve {name} ile henüz iletişime geçmeyin.",
        "Bugün bir yöneticiye ve hukuk sorumlusuna, yorumun bağlantısı ve yayımlanmış yanıtla birlikte iletin; "
        "kime ve ne zaman bilgi verdiğinizi göreve yazın.",
        "Herhangi bir iletişimden önce yazılı onay bekleyin; bu arada kusur kabul etmeyin ve söz vermeyin.",
    ],
    "legal_then": "Yazılı onaydan sonra şu durumların adımlarıyla devam edin: {variants}.",
    "repeat_complainer": [
        "Önce yorumcunun diğer {count} yorumunu okuyun: bu yeni bir vaka değil, süren bir ilişkidir.",
        "İlgiliyse önceki sorundan haberdar olduğunuzu söyleyin ve tüm konu için tek bir sorumlu belirleyin.",
    ],
    "template_reply": [
        "{name} adlı müşterinin aldığı herkese açık yanıt standart bir metindi ({n} kez yayımlandı). Bunu dürüstçe "
        "söyleyin: onun durumuna yanıt vermedi, şimdi bunu yapmak için ulaşıyorsunuz.",
        "Bir standart yanıt daha yapıştırmayın; onun kendi durumunu yazın.",
    ],
    "theme_fixed": [
        '{name} adlı müşterinin anlattığı sorun ("{theme}") o zamandan beri giderildi. Teşekkür etmek için '
        "ulaşın: şikâyeti bu değişikliğe katkı sağladı.",
        "Neyin ve ne zamandan beri değiştiğini somut olarak anlatın; küçük bir teşekkür jesti olabilir, ama "
        "yalnızca indirim kodu asıl mesele değildir.",
    ],
    "avoid": [
        "Standart bir yanıtı ya da başkasına gönderdiğiniz bir yanıtı kopyalamak.",
        'Refleks bir "yaşanan aksaklık için özür dileriz"; özür dileyecekseniz neden için olduğunu söyleyin.',
        'Suçu meslektaşlara, diğer birimlere, tedarikçilere, kuryelere, iş ortaklarına ya da "sisteme" atmak.',
        'Müşterinin anlattığını sorgulamak ("kayıtlarımıza göre siz...") ya da müşteriyi suçlamak.',
        "Onaylanmamış iade, tarih veya tazminat sözü vermek.",
        "Müşteriden yorumunu ya da puanını değiştirmesini, silmesini veya yeniden düşünmesini istemek.",
    ],
    "avoid_abusive": ["Tartışmaya girmek ya da müşterinin üslubuna uymak."],
    "avoid_legal": ["Hukuk onayı gelmeden herhangi bir açık yanıt, kusur kabulü veya teklif."],
    "labels": {
        "reviewer": "Yorumcu",
        "rating": "Puan",
        "title": "Yorum başlığı",
        "review": "Yorum",
        "source": "Site",
        "link": "Yorum bağlantısı",
        "reply": "Yayımlanmış yanıt",
        "template": "Şablon muydu?",
        "other_reviews": "Yorumcunun diğer yorumları",
        "due": "İlk iletişim için son zaman",
        "theme": "Giderilen şikâyet konusu",
    },
    "template_yes": "evet, {n} kez yayımlandı",
    "template_yes_unknown": "evet",
    "no": "hayır",
    "none": "yok",
    "the_reviewer": "yorumcu",
    "the_site": "yorum sitesi",
    "soon": "belirlenen süre",
    "variant_names": {
        "abusive": "hakaret içeren yorum",
        "repeat_complainer": "tekrar şikâyet eden yorumcu",
        "template_reply": "önceki şablon yanıt",
        "theme_fixed": "giderilen şikâyet konusu",
    },
}
