"""French reply-checker rules (written from the usual phrasing of customer-service replies)."""

from __future__ import annotations

from responders.checker.rules import LanguageRules

# Third parties a reply can blame: couriers, shops, partners, other departments, the bank, "the system".
_NOUN = (
    r"(?:livreur\w*|transporteur\w*|coursier\w*|prestataire\w*|fournisseur\w*|partenaire\w*|restaurant\w*|"
    r"restaurateur\w*|commerçant\w*|vendeur\w*|entrepôt\w*|chauffeur\w*|poste|colissimo|chronopost|"
    r"(?:autre|un\s+autre)\s+(?:service|département)|service\s+(?:technique|comptabilité|logistique|"
    r"de\s+livraison)|collègue\w*|système|banque)"
)
_ARTICLE = r"(?:(?:le|la|les|un|une|notre|nos|votre|vos)\s+|l')"
_PARTY = _ARTICLE + r"?" + _NOUN
_OF = r"(?:du|des|de\s+la|de\s+l'|de\s+(?:notre|nos|votre|vos))\s*"

RULES = LanguageRules(
    code="fr",
    stopwords=(
        "le la les l un une des de du d et ou mais à au aux en dans sur pour par avec sans ce cet cette ces est "
        "sont était été être a ont avons avez nous vous je il elle ils elles on ne pas plus que qui dont où se sa "
        "son ses leur leurs notre nos votre vos mon ma mes très bien aussi comme si y c'est n'est j'ai n'a "
        "n'avons qu'il d'un d'une"
    ),
    courtesy=(
        "bonjour bonsoir madame monsieur cher chère salut cordialement sincères salutations merci remerci* excus* "
        "désolé* navré* regret* désagrément* gêne inconvénient* problème* expérience* avis retour* commentaire* "
        "évaluation* note client* clientèle service* équipe* compréhension situation* vraiment sincèrement "
        "profondément patience rencontré* occasionné*"
    ),
    apology=(
        r"\b(?:nous\s+(?:nous\s+)?excusons|je\s+m'excuse|(?:toutes\s+)?nos\s+(?:(?:plus\s+)?sincères\s+)?excuses|"
        r"veuillez\s+nous\s+excuser|excusez-nous)\b",
        r"\b(?:(?:nous\s+sommes|je\s+suis)\s+(?:vraiment\s+|sincèrement\s+|profondément\s+)?)?"
        r"(?:désolée?s?|navrée?s?)\b",
        r"\b(?:nous\s+regrettons|je\s+regrette)\b",
    ),
    thanks=(r"\bmerci\b", r"\b(?:nous\s+vous\s+remercions|je\s+vous\s+remercie)\b"),
    blame_shift=(
        _PARTY + r"\s+(?:est|était|a\s+été|sont)\s+(?:(?:seul|entièrement)\w*\s+)?(?:responsables?|en\s+cause|"
        r"fautif\w*)\b",
        _PARTY + r"\s+(?:a\s+(?:oublié|perdu|fait\s+une\s+erreur|commis\s+une\s+erreur)|n'a\s+pas\s+(?:livré|"
        r"respecté|déposé|livré))\b",
        r"\b(?:à\s+cause|en\s+raison)\s+" + _OF + _NOUN,
    ),
    deflection=(
        r"\b(?:de\s+)?la\s+faute\s+" + _OF + _NOUN,
        r"\bpas\s+(?:de\s+)?(?:la\s+nôtre|notre\s+faute)\b",
        r"\bnous\s+ne\s+sommes\s+pas\s+responsables\b",
        r"\b(?:indépendant\w*\s+de\s+notre\s+volonté|hors\s+de\s+notre\s+contrôle)\b",
        # Sending the customer to the third party instead of dealing with it.
        r"\b(?:veuillez|merci\s+de|nous\s+vous\s+invitons\s+à|nous\s+vous\s+conseillons\s+de|je\s+vous\s+invite\s+à)"
        r"\s+(?:(?:vous\s+rapprocher\s+(?:directement\s+)?(?:du|des|de\s+la|de\s+l'|de\s+votre|de\s+vos)\s*|contacter\s+"
        r"(?:directement\s+)?(?:le\s+|la\s+|les\s+|l'|votre\s+|vos\s+))" + _NOUN + r"|les\s+contacter)",
        r"\bcontactez-les\b",
    ),
    questions_customer=(
        r"\b(?:d'après|selon)\s+(?:nos|notre)\s+(?:registres|dossiers|données|informations|système|historique)\b",
        r"\bnos\s+(?:registres|données|systèmes?)\s+(?:indiquent|montrent|confirment)\b",
        r"\b(?:il\s+n'y\s+a|nous\s+n'avons)\s+(?:aucune\s+trace|aucun\s+enregistrement)\b",
        r"\bvous\s+auriez\s+dû\b",  # not "vous avez dû": also "you had to (wait)"
        r"\b(?:c'est|c'était)\s+(?:de\s+)?votre\s+(?:faute|responsabilité)\b",
        r"\bvous\s+n'avez\s+pas\s+(?:lu|suivi|vérifié|respecté|fourni)\b",
        r"\bvous\s+avez\s+(?:pourtant\s+|bien\s+)?été\s+(?:informée?s?|prévenue?s?|averti\w*)\b",
        r"\b(?:cela|ceci)\s+(?:n'est\s+pas\s+(?:vrai|exact)|est\s+faux)\b|\bc'est\s+faux\b",
    ),
    next_step=(
        r"\b(?:nous\s+allons|je\s+vais|(?:va|vont))\s+(?:vous\s+|le\s+|la\s+|les\s+)?(?:\w+\s+)?(?:appeler|"
        r"rappeler|contacter|recontacter|écrire|vérifier|examiner|analyser|rembourser|renvoyer|envoyer|corriger|"
        r"résoudre|traiter|transmettre|suivre|revenir|relancer)\b",
        r"\b(?:nous|je)\s+(?:vous\s+|le\s+|la\s+)?(?:appellerons|rappellerons|contacterons|recontacterons|écrirons|"
        r"vérifierons|reviendrons|enverrons|traiterons|appellerai|rappellerai|contacterai|recontacterai|écrirai|"
        r"vérifierai|reviendrai|enverrai|tiendrons|tiendrai)\b",
        r"\bvous\s+serez\s+(?:re)?contactée?s?\b",
        r"\b(?:aujourd'hui|demain|ce\s+soir|cet\s+après-midi|cette\s+semaine|d'ici\s+(?:ce\s+soir|demain|lundi|"
        r"mardi|mercredi|jeudi|vendredi)|(?:sous|dans\s+les)\s+\d+\s*(?:h|heures|jours(?:\s+ouvrés)?)|"
        r"avant\s+(?:\d+\s*h|ce\s+soir|demain|lundi|mardi|mercredi|jeudi|vendredi))\b",
    ),
    promise=(
        r"\bnous\s+(?:allons\s+)?(?:vous\s+)?(?:le\s+|la\s+|les\s+)?(?:rembourser|rembourserons|dédommager|"
        r"dédommagerons|indemniser|indemniserons|renvoyer|renverrons|remplacer|remplacerons|livrer|livrerons)\b",
        r"\bvous\s+serez\s+(?:intégralement\s+)?(?:rembours|dédommag|indemnis|recrédit|crédit)\w*",
        r"\bvous\s+(?:recevrez|allez\s+recevoir)\s+(?:\w+\s+){0,2}?(?:remboursement|bon\s+d'achat|avoir|"
        r"geste\s+commercial|dédommagement|indemnisation|commande|colis)\b",
        r"\bvotre\s+(?:remboursement|commande|colis|avoir)\s+(?:sera|va\s+être|arrivera)\b",
        r"\b(?:le\s+)?remboursement\s+sera\s+(?:effectué|traité|versé|crédité)\b",
    ),
    qualifier=(
        r"\baprès\s+(?:\w+\s+){0,2}?(?:vérification|confirmation|validation|accord|analyse)\b",
        r"\bdès\s+(?:que\s+(?:\w+\s+){0,4}?(?:confirm|valid|vérifi)\w*|(?:confirmation|validation|vérification)\b)",
        r"\bune\s+fois\s+(?:\w+\s+){0,4}?(?:confirm|valid|vérifi)\w*",
        r"\bsi\s+(?:vous\s+êtes\s+|c'est\s+|cela\s+est\s+)?(?:éligible|possible|applicable|confirmé)\w*",
        r"\bsous\s+réserve\b|\ben\s+attente\s+de\b",
    ),
    review_change=(
        r"\b(?:modifier|changer|supprimer|retirer|mettre\s+à\s+jour|reconsidérer|revoir|augmenter|actualiser|"
        r"modifiez|changez|supprimez|retirez|revoyez|mettez\s+à\s+jour)\s+(?:votre|ton|cette|la|le)\s+(?:\w+\s+)?"
        r"(?:avis|note|commentaire|évaluation|étoiles?)\b",
        r"\b(?:nous\s+)?(?:donner|attribuer|mettre|laisser)\s+(?:plus\s+d'|\d+\s+|cinq\s+)étoiles\b",
        r"\b(?:votre\s+)?(?:avis|note)\s+(?:pourrait|peut)\s+être\s+(?:modifié|revu|mis\s+à\s+jour|supprimé)e?\b",
    ),
    filler=(
        r"\bnous\s+(?:apprécions|accordons\s+beaucoup\s+d'importance\s+à)\s+(?:votre|vos)\s+(?:avis|retours?|"
        r"commentaires?|remarques?)\b",
        r"\b(?:merci|nous\s+vous\s+remercions|je\s+vous\s+remercie)\s+(?:beaucoup\s+)?(?:pour|de)\s+(?:votre|vos|"
        r"ce|cet)\s+(?:\w+\s+)?(?:avis|retours?|commentaires?|message|évaluation)\b",
        r"\bvotre\s+(?:avis|retour|satisfaction)\s+(?:est|compte)\s+(?:très\s+|beaucoup\s+)?(?:important|précieux|"
        r"essentiel)\w*(?:\s+pour\s+nous)?|\bvotre\s+(?:avis|retour)\s+compte(?:\s+beaucoup)?(?:\s+pour\s+nous)?",
        r"\bla\s+satisfaction\s+(?:de\s+nos\s+clients|client)\s+est\s+(?:notre\s+)?(?:priorité|une\s+priorité)\b",
        r"\bnous\s+prenons\s+(?:très\s+)?au\s+sérieux\s+(?:vos|tous\s+les|les)\s+(?:\w+\s+)?(?:retours|avis|"
        r"remarques)\b",
        r"\bnous\s+nous\s+efforçons\s+(?:toujours\s+|chaque\s+jour\s+)?de\s+(?:vous\s+)?(?:offrir|proposer|fournir)\b",
    ),
)
