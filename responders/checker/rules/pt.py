"""Portuguese reply-checker rules (a smaller set)."""

from __future__ import annotations

from responders.checker.rules import LanguageRules

_PARTY = (
    r"(?:(?:a|o|nossa|nosso)\s+)?(?:transportadora|entregador\w*|motorista\w*|fornecedor\w*|parceir\w*|"
    r"armazém|estabelecimento|restaurante|correios|(?:outro|outra)\s+(?:departamento|setor|equipe)|colega\w*|"
    r"sistema|banco)"
)

RULES = LanguageRules(
    code="pt",
    stopwords=(
        "o a os as um uma de do da dos das e ou mas em no na nos nas por para com que se não sim é são foi era "
        "ser estar está estamos nós nosso nossa você vocês seu sua lhe muito mais já também como quando onde "
        "qual este esta isso isto ao aos pela pelo"
    ),
    courtesy=(
        "olá ola oi bom dia boa tarde prezado prezada caro cara atenciosamente abraço obrigad* agradec* desculp* "
        "lament* sentimos transtorn* inconvenien* problem* experiênci* experienci* feedback* avaliaç* comentári* "
        "cliente* serviço* equipe* equipa* compreens* situaç* realmente sinceramente"
    ),
    apology=(
        r"\b(?:pedimos|peço)\s+(?:sinceras\s+)?desculpas\b|\bdesculpe\b|\bdesculpa\b",
        r"\b(?:lamentamos|lamento|sentimos\s+muito)\b",
    ),
    thanks=(r"\bobrigad[oa]s?\b|\bagradecemos\b|\bagradeço\b",),
    blame_shift=(
        _PARTY + r"\s+(?:é|foi|são|foram)\s+(?:responsável|responsáveis|culpad\w+)",
        _PARTY + r"\s+(?:esqueceu|perdeu|errou|falhou|não\s+entregou)\b",
        r"\b(?:por\s+culpa\s+d[aoe]s?|devido\s+ao?|causad[oa]\s+pel[oa])\s+" + _PARTY,
        r"\bnão\s+(?:é|foi)\s+(?:nossa\s+culpa|culpa\s+nossa)\b",
        r"\bnão\s+somos\s+responsáveis\b",
        r"\bfora\s+do\s+nosso\s+controle\b",
    ),
    questions_customer=(
        r"\b(?:de\s+acordo\s+com|segundo)\s+(?:os\s+)?nossos\s+registros\b|\bconforme\s+nosso\s+sistema\b",
        r"\bnão\s+(?:há|existe|consta)\s+(?:nenhum\s+)?registro\b",
        r"\bvocê\s+deve\s+ter\s+\w+",
        r"\b(?:é|foi)\s+(?:sua\s+culpa|sua\s+responsabilidade|culpa\s+sua)\b",
        r"\bvocê\s+não\s+(?:leu|seguiu|verificou)\b",
        r"\bisso\s+não\s+é\s+verdade\b",
        r"\bvocê\s+foi\s+(?:informad|avisad)\w+",
    ),
    next_step=(
        r"\b(?:entraremos\s+em\s+contato|vamos\s+(?:ligar|entrar\s+em\s+contato|verificar|analisar|resolver|"
        r"enviar)|ligaremos|retornaremos|verificaremos|enviaremos|vou\s+(?:ligar|verificar|analisar|resolver))\b",
        r"\b(?:hoje|amanhã|até\s+(?:o\s+fim\s+do\s+dia|amanhã|sexta|segunda)|em\s+(?:até\s+)?\d+\s*(?:horas|dias))\b",
    ),
    promise=(
        r"\b(?:vamos|iremos)\s+(?:\w+\s+)?(?:reembolsar|devolver\s+o\s+dinheiro|compensar|substituir|entregar)\b",
        r"\b(?:reembolsaremos|devolveremos)\b",
        r"\b(?:receberá|vai\s+receber)\s+(?:\w+\s+){0,2}?(?:reembolso|dinheiro|cupom|voucher|crédito|compensação|"
        r"pedido|encomenda)\b",
        r"\bseu\s+(?:reembolso|pedido|dinheiro|crédito)\s+(?:\w+\s+)?(?:será|vai\s+ser|chegará)\b",
    ),
    qualifier=(
        r"\bapós\s+(?:a\s+)?(?:confirmação|verificação|análise|aprovação)\b",
        r"\bassim\s+que\s+(?:\w+\s+){0,2}(?:confirmad|aprovad|verificad)\w*",
        r"\bcaso\b|\bse\s+(?:for\s+)?(?:possível|aprovad\w+|elegível)\b|\bsujeito\s+a\b",
    ),
    review_change=(
        r"\b(?:alterar|mudar|remover|apagar|excluir|atualizar|rever|reconsiderar|editar)\s+(?:a\s+)?(?:sua\s+)?"
        r"(?:avaliação|nota|comentário|review|estrelas)\b",
        r"\b(?:dar|nos\s+dar|dê)\s+(?:mais|\d|cinco)\s+estrelas\b",
    ),
    filler=(
        r"\b(?:valorizamos|agradecemos)\s+(?:muito\s+)?(?:o\s+|a\s+)?(?:seu|sua)\s+(?:feedback|comentário|"
        r"avaliação|opinião)\b",
        r"\b(?:sua\s+(?:opinião|avaliação)|seu\s+feedback)\s+é\s+(?:muito\s+)?importante\b",
        r"\bobrigad[oa]\s+(?:pelo\s+seu|pela\s+sua|pelo|pela)\s+(?:feedback|comentário|avaliação)\b",
        r"\ba\s+satisfação\s+(?:dos\s+(?:nossos\s+)?clientes|do\s+cliente)\s+é\s+(?:a\s+)?nossa\s+prioridade\b",
    ),
)
