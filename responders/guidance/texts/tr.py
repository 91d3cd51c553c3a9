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
    "regulator": [
        "Bekleyin: herkese açık yanıt yayımlamayın ve {name} ile henüz iletişime geçmeyin; şikâyet bir düzenleyici "
        "kuruma ya da kamu denetçisine gitti veya gidebilir.",
        "Bugün bir yöneticiye ve düzenleyici kurumlarla yazışmaktan sorumlu kişiye (uyum ya da şikâyet birimi), "
        "yorumun bağlantısı ve yayımlanmış yanıtla birlikte bilgi verin; kime ve ne zaman bildirdiğinizi göreve "
        "yazın.",
        "Vakanın geçmişini hazırlayın: müşterinin ne satın aldığı ya da kullandığı, tarihleriyle her temas, ne söz "
        "verildiği ve ne yapıldığı. Kurum bunu genellikle bir süre vererek ister.",
        "Herhangi bir iletişimden veya açık yanıttan önce yazılı onay bekleyin; bu arada hiçbir şeyi kabul etmeyin, "
        "söz vermeyin.",
    ],
    "fraud": [
        "Acil olarak ele alın: bugün yorumun bağlantısıyla dolandırıcılık veya güvenlik ekibine iletin ve hesabın, "
        "kartın ya da hattın hemen bloke edilmesi veya güvenceye alınması gerekip gerekmediğini sorun.",
        "{name} ile iletişime geçerken doğru kişiyle konuştuğunuzu doğrulayabileceğiniz bir kanal kullanın, asla "
        "açık yanıtı değil; hesaptan söz etmeden önce kimliği doğrulayın.",
        "Asla şifre, PIN, tek kullanımlık kod veya kartın tam numarasını istemeyin ve müşteriye şirketin bunları "
        "hiçbir zaman istemeyeceğini söyleyin.",
        "Sonra ne olacağını açıklayın: dolandırıcılık kaydının numarası, kimin ilgilendiği ve müşterinin ne zaman "
        "haber alacağı; aynısını göreve yazın.",
    ],
    "fraud_in_hold": (
        "Bu arada, müşteriyle iletişime geçmeden: hesabın, kartın ya da hattın bloke edilmesi veya güvenceye "
        "alınması gerekip gerekmediğini bugün dolandırıcılık veya güvenlik ekibine sorun."
    ),
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
    "avoid_regulator": [
        "Yorumcudan düzenleyici kuruma ya da kamu denetçisine yaptığı şikâyeti geri çekmesini istemek, bunu ima "
        "etmek veya bir teklifi buna bağlamak.",
    ],
    "avoid_fraud": [
        "Hangi kanal olursa olsun şifre, PIN, tek kullanımlık kod veya kartın tam numarasını istemek.",
        "Açık yanıtta tutar, işlem veya hesap bilgisi vermek.",
    ],
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
        "specifics": "Neden bahsettiler",
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
        "fraud": "bildirilen dolandırıcılık",
        "abusive": "hakaret içeren yorum",
        "repeat_complainer": "tekrar şikâyet eden yorumcu",
        "template_reply": "önceki şablon yanıt",
        "theme_fixed": "giderilen şikâyet konusu",
    },
}
