"""Turkish reply-checker rules (stems with `\\w*` cover the suffixes)."""

from __future__ import annotations

from responders.checker.rules import LanguageRules

_PARTY = (
    r"(?:kargo(?:\s+firması|\s+şirketi)?\w*|kurye\w*|tedarikçi\w*|iş\s+ortağ\w*|partner\w*|depo\w*|şoför\w*|"
    r"sürücü\w*|(?:diğer|başka|ilgili)\s+(?:departman|birim|ekip)\w*|meslektaş\w*|sistem\w*|banka\w*)"
)

RULES = LanguageRules(
    code="tr",
    stopwords=(
        "ve veya ile ama fakat ancak bir bu şu o da de ki için gibi çok daha en mi mı mu mü ne neden nasıl "
        "olarak olan olduğu olduğunu sizin bizim siz biz size bize sizi bizi sizinle bizimle ben sen onlar her "
        "hiç değil var yok ise eğer sonra önce kadar göre tarafından lütfen"
    ),
    courtesy=(
        "merhaba sayın değerli iyi günler saygılarımızla saygılarımla teşekkür* sağol* özür* üzgün* maalesef "
        "yaşadığınız yaşattığımız olumsuz* deneyim* tecrübe* sorun* aksaklık* rahatsızlık* memnuniyet* geri "
        "bildirim* yorum* değerlendirme* müşteri* hizmet* ekib* ekip* anlıyor* anlayış* durum* konu* gerçekten "
        "içtenlikle dileriz dilerim"
    ),
    apology=(
        r"\b(?:içtenlikle\s+)?özür\s+dil\w*",
        r"\b(?:çok\s+|gerçekten\s+)?üzgün(?:üz|üm)\b",
        r"\bkusura\s+bakmayın\b",
        r"\baffınıza\s+sığınırız\b",
    ),
    thanks=(r"\bteşekkür\w*", r"\bsağ\s*olun\b"),
    blame_shift=(
        _PARTY + r"\s+(?:sorumlu(?:dur)?|hatalı(?:dır)?|suçlu(?:dur)?)\b",
        _PARTY + r"\s+(?:unuttu|kaybetti|hata\s+yaptı|teslim\s+etmedi|geciktirdi)\w*",
        _PARTY + r"\s+(?:kaynaklı|nedeniyle|yüzünden|sebebiyle)\b",
        r"\b(?:bizim|bizden)\s+kaynaklı\s+değil\w*",
        r"\bbizim\s+hatamız\s+değil\w*",
        r"\bsorumlu\s+değiliz\b",
        r"\bkontrolümüz\s+dışında\w*",
    ),
    questions_customer=(
        r"\b(?:kayıtlarımıza|sistemimize|kayıtlarımız[ae])\s+göre\b",
        r"\b(?:herhangi\s+bir\s+)?kayıt\s+(?:bulunmamaktadır|bulunmuyor|yok)\b",
        r"\b\w+\s+olmalısınız\b",
        r"\b(?:sizin|size\s+ait)\s+(?:hatanız|sorumluluğunuz)\w*",
        r"\b(?:okumamışsınız|dikkat\s+etmemişsiniz|kontrol\s+etmemişsiniz)\b",
        r"\b(?:bu\s+)?doğru\s+değil(?:dir)?\b",
        r"\bbilgilendiril(?:miştiniz|diniz)\b",
    ),
    next_step=(
        r"\b(?:arayacağız|arayacağım|dönüş\s+(?:yapacağız|sağlayacağız|yapacağım)|iletişime\s+geçeceğiz|"
        r"iletişime\s+geçeceğim|inceleyeceğiz|inceleyeceğim|kontrol\s+edeceğiz|kontrol\s+edeceğim|"
        r"göndereceğiz|göndereceğim|çözeceğiz|ileteceğiz|ileteceğim|bilgilendireceğiz|bilgi\s+vereceğiz)\b",
        r"\b(?:bugün|yarın|akşama\s+kadar|bu\s+akşam|gün\s+sonuna\s+kadar|\d+\s*(?:saat|gün|iş\s+günü)\s+içinde|"
        r"pazartesi|salı|çarşamba|perşembe|cuma)\w*",
    ),
    promise=(
        r"\b(?:iade\s+edeceğiz|iade\s+edilecek(?:tir)?|telafi\s+edeceğiz|tazmin\s+edeceğiz|yenisini\s+"
        r"göndereceğiz|teslim\s+edilecek(?:tir)?)\b",
        r"\b(?:paranız|ücretiniz|siparişiniz|kargonuz|iadeniz)\s+(?:\w+\s+)?(?:iade\s+edilecek|ulaşacak|"
        r"teslim\s+edilecek|yatırılacak)\w*",
    ),
    qualifier=(
        r"\b(?:onay|kontrol|inceleme|doğrulama)\w*\s+sonra\w*",
        r"\b(?:onaylandıktan|doğrulandıktan|kontrol\s+edildikten|incelendikten)\s+sonra\b",
        r"\buygun\s+(?:olması|görülmesi)\s+(?:halinde|durumunda)\b",
        r"\b(?:mümkünse|eğer)\b",
        r"\bolup\s+olmadığını\b",
    ),
    review_change=(
        r"\b(?:yorum|değerlendirme|puan)\w*\s+(?:\w+\s+)?(?:değiştir|güncelle|kaldır|sil|düzelt|gözden\s+geçir)\w*",
        r"\b(?:daha\s+fazla|daha\s+yüksek|\d|beş)\s+yıldız\s+ver\w*",
    ),
    filler=(
        r"\b(?:geri\s+bildirim|yorum|görüş)\w*\s+(?:bizim\s+için\s+)?(?:çok\s+)?(?:değerli|önemli)(?:dir)?\b",
        r"\b(?:geri\s+bildiriminiz|yorumunuz|değerlendirmeniz)\s+için\s+teşekkür\w*",
        r"\bmüşteri\s+memnuniyeti\s+(?:bizim\s+için\s+)?(?:önceliğimizdir|en\s+önemli\s+\w+|önemlidir)",
        r"\ben\s+iyi\s+hizmeti\s+(?:sunmak|vermek)\s+için\s+çalışıyoruz\b",
    ),
)
