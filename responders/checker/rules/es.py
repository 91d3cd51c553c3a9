"""Spanish reply-checker rules (written from the usual phrasing of customer-service replies)."""

from __future__ import annotations

from responders.checker.rules import LanguageRules

# Third parties a reply can blame: couriers, shops, partners, other departments, the bank, "the system".
_NOUN = (
    r"(?:repartidor\w*|mensajer\w*|transportista\w*|paqueter[ií]a|empresa\s+de\s+(?:mensajer[ií]a|transporte|"
    r"paqueter[ií]a|env[ií]os|reparto)|proveedor\w*|socio\s+(?:repartidor|log[ií]stico)|restaurante\w*|comercio|"
    r"tienda|vendedor\w*|almac[eé]n|conductor\w*|chofer\w*|(?:otro|otra)\s+(?:departamento|[aá]rea|equipo)|"
    r"compañer\w*|sistema|banco|correos)"
)
_PARTY = r"(?:(?:el|la|los|las|un|una|nuestr[oa]s?|su|tu)\s+)?" + _NOUN

RULES = LanguageRules(
    code="es",
    stopwords=(
        "el la los las un una unos unas de del y e o u pero en por para con sin que se no sí es son fue era ser "
        "estar está están estamos nosotros nos nuestro nuestra nuestros nuestras usted ustedes su sus le les lo "
        "muy más ya también como cuando donde cual este esta estos estas eso esto al me mi te tu yo hay ha han "
        "hemos"
    ),
    courtesy=(
        "hola buenos buenas días dias tardes noches estimad* querid* saludo* cordial* atentamente gracias agradec* "
        "disculp* perdon* perdón lament* sentimos siento molestia* inconvenien* problema* experiencia* opinión "
        "opinion comentario* reseña* valoración* valoracion* calificación* feedback cliente* servicio* equipo* "
        "comprensión comprension situación* situacion* realmente sinceramente mucho mucha muchas muchos mil "
        "paciencia ocurrido sucedido"
    ),
    apology=(
        r"\b(?:(?:le|les|te|os)\s+)?(?:pedimos|pido|ofrecemos)\s+(?:(?:nuestras\s+)?(?:más\s+)?(?:sinceras|"
        r"mil)\s+)?disculpas\b",
        r"\b(?:disculpe|disculpa|disculpas|discúlpenos|perdón|perdone|perdona)\b",
        r"\blo\s+(?:siento|sentimos)(?:\s+mucho)?\b|\bsentimos\s+mucho\b|\b(?:lamentamos|lamento)\b",
    ),
    thanks=(r"\bgracias\b", r"\b(?:agradecemos|agradezco)\b"),
    blame_shift=(
        _PARTY + r"\s+(?:es|fue|son|fueron|ha\s+sido)\s+(?:el\s+|la\s+|los\s+)?(?:únic[oa]s?\s+)?"
        r"(?:responsables?|culpables?)\b",
        _PARTY + r"\s+(?:no\s+(?:entregó|llegó|realizó|cumplió|recogió)|olvidó|perdió|se\s+equivocó|"
        r"cometió\s+un\s+error|falló)\b",
        r"\ba\s+causa\s+del?\s+" + _PARTY + r"|\bdebido\s+al?\s+" + _PARTY + r"\b|\bcausad[oa]\s+por\s+" + _PARTY,
        r"\b(?:debido\s+a|por)\s+(?:un\s+)?(?:error|fallo|falla)\s+(?:del\s+sistema|técnico|informático)\b",
    ),
    deflection=(
        r"\b(?:(?:por|es|fue)\s+culpa|(?:es|fue)\s+responsabilidad)\s+del?\s+" + _PARTY,
        r"\bno\s+(?:es|fue)\s+(?:nuestra\s+culpa|culpa\s+nuestra)\b|\bno\s+(?:la\s+)?nuestra\b",
        r"\bno\s+somos\s+(?:los\s+)?responsables\b",
        r"\b(?:fuera\s+de|ajen[oa]s?\s+a)\s+nuestro\s+control\b",
        # Sending the customer to the third party instead of dealing with it.
        r"\b(?:contacte|contacta|comuníquese|comunícate|póngase\s+en\s+contacto|ponte\s+en\s+contacto|diríjase|"
        r"dirígete|reclame|reclama)\s+(?:directamente\s+)?(?:con|a)\s+(?:ellos\b|(?:el|la|los|las|su|tu)\s+"
        + _NOUN
        + r")",
    ),
    questions_customer=(
        r"\b(?:según|de\s+acuerdo\s+con|conforme\s+a)\s+nuestros?\s+(?:registros|sistema|datos|historial)\b",
        r"\bnuestros\s+(?:registros|datos|sistemas?)\s+(?:indican|muestran|confirman|reflejan)\b",
        r"\bno\s+(?:hay|existe|consta|tenemos)\s+(?:ningún\s+)?(?:registro|constancia)\b",
        r"\b(?:usted\s+(?:debe\s+haber|debió|debería\s+haber)|debiste|deberías\s+haber)\s+\w+",
        r"\b(?:es|fue)\s+(?:su|tu)\s+(?:culpa|responsabilidad)\b|\bla\s+culpa\s+es\s+(?:suya|tuya)\b",
        r"\b(?:usted\s+)?no\s+(?:leyó|siguió|revisó|comprobó|verificó|leíste|seguiste)\b",
        r"\b(?:se\s+le|usted\s+fue|ya\s+se\s+le)\s+(?:informó|avisó|notificó|informad[oa]|avisad[oa])\b",
        r"\b(?:eso|esto)\s+no\s+es\s+(?:cierto|verdad)\b",
    ),
    next_step=(
        r"\b(?:nos|me|se)\s+pondr(?:emos|é|á|án)\s+en\s+contacto\b",
        r"\b(?:vamos|voy|va|van)\s+a\s+(?:\w+\s+)?(?:llamar|contactar|revisar|investigar|escribir|enviar|reenviar|"
        r"resolver|verificar|comprobar|gestionar|reembolsar|devolver|reponer|cambiar|escalar|informar|"
        r"dar\s+seguimiento)\w*",
        r"\b(?:llamar|contactar|escribir|revisar|investigar|enviar|reenviar|resolver|verificar|comprobar|"
        r"gestionar|informar|devolver|reembolsar|reponer)(?:emos|é|á|án)\b",
        r"\b(?:hoy|mañana|esta\s+(?:tarde|noche|semana)|antes\s+de\s+(?:las\s+\d+|mañana|el\s+(?:lunes|martes|"
        r"miércoles|jueves|viernes))|el\s+(?:lunes|martes|miércoles|jueves|viernes)|en\s+(?:un\s+plazo\s+de\s+|"
        r"las\s+próximas\s+|menos\s+de\s+)?\d+\s*(?:horas|h|días(?:\s+hábiles)?|minutos))\b",
    ),
    promise=(
        r"\b(?:reembolsaremos|devolveremos|compensaremos|repondremos|reembolsaré|devolveré)\b",
        r"\b(?:vamos|voy)\s+a\s+(?:\w+\s+)?(?:reembolsar|devolver|compensar|reponer|reenviar)\w*",
        r"\b(?:recibirá|recibirás|va\s+a\s+recibir|vas\s+a\s+recibir)\s+(?:\w+\s+){0,2}?(?:reembolso|dinero|"
        r"cupón|vale|crédito|compensación|devolución|pedido|paquete|importe)\b",
        r"\b(?:su|tu)\s+(?:reembolso|dinero|pedido|paquete|devolución)\s+(?:\w+\s+)?(?:será|llegará|"
        r"se\s+(?:procesará|abonará|reembolsará))\b",
        r"\bel\s+reembolso\s+(?:se\s+)?(?:será|procesará|realizará|hará|abonará)\w*",
    ),
    qualifier=(
        r"\b(?:una\s+vez|tras|después\s+de|luego\s+de)\s+(?:\w+\s+){0,3}?(?:confirm|verific|comprob|aprob|valid|"
        r"revis)\w*",
        r"\bsi\s+(?:\w+\s+){0,2}?(?:procede|corresponde|es\s+posible|aplica|cumple|se\s+confirma|se\s+aprueba)\b",
        r"\ben\s+caso\s+de\s+que\s+(?:\w+\s+){0,2}?(?:proceda|corresponda|se\s+confirme)\b",
        r"\bsujeto\s+a\b|\bpendiente\s+de\b",
    ),
    review_change=(
        r"\b(?:modificar|cambiar|actualizar|eliminar|borrar|quitar|retirar|editar|reconsiderar|mejorar|subir|"
        r"modifique|cambie|actualice|elimine|borre|reconsidere|edite|modifica|cambia|actualiza|elimina|borra)\s+"
        r"(?:su|tu|la|esta|esa)\s+(?:\w+\s+)?(?:reseña|valoración|calificación|puntuación|comentario|opinión|"
        r"estrellas)\b",
        r"\b(?:darnos|nos\s+dé|nos\s+des|regalarnos|nos\s+dieras|nos\s+diera)\s+(?:más|\d|cinco)\s+estrellas\b",
    ),
    filler=(
        r"\b(?:valoramos|apreciamos|agradecemos)\s+(?:mucho\s+|muchísimo\s+|enormemente\s+)?(?:su|tu|sus|tus)\s+"
        r"(?:\w+\s+)?(?:opinión|comentarios?|reseña|valoración|feedback|sugerencias?)\b",
        r"\b(?:su|tu)\s+(?:opinión|comentario|feedback|satisfacción)\s+(?:es|son)\s+(?:muy\s+|sumamente\s+)?"
        r"(?:importante|valios[oa])s?(?:\s+para\s+nosotros)?",
        r"\bgracias\s+por\s+(?:su|tu|sus|tus|la|el|compartir\s+(?:su|tu))\s+(?:\w+\s+)?(?:opinión|comentarios?|"
        r"reseña|valoración|feedback|experiencia)\b",
        r"\bla\s+satisfacción\s+de\s+(?:nuestros\s+)?clientes\s+es\s+(?:nuestra\s+)?(?:máxima\s+|principal\s+)?"
        r"prioridad\b|\bla\s+satisfacción\s+del\s+cliente\s+es\s+(?:nuestra\s+)?(?:máxima\s+)?prioridad\b",
        r"\btrabajamos\s+(?:cada\s+día|constantemente|día\s+a\s+día)\s+para\s+(?:mejorar|ofrecer)\b",
        r"\bnos\s+ayuda(?:n)?\s+a\s+mejorar\b",
    ),
)
