# Le vocabulaire de la console en français.

nav-label = Rubriques
nav-dashboard = Tableau de bord
nav-renewals = À renouveler
skip-to-content = Aller au contenu
sign-out = Se déconnecter
footer-note = licences, postes et renouvellements
back-to-dashboard = Retour au tableau de bord

sign-in-title = Connexion
field-email = Adresse e-mail
field-password = Mot de passe
field-totp = Code de votre application d'authentification
sign-in-button = Se connecter
sign-in-expired = Le formulaire de connexion avait expiré : veuillez réessayer.
sign-in-login-failed = Adresse e-mail ou mot de passe incorrect.
sign-in-totp-required = Saisissez le code à six chiffres de votre application d'authentification.
sign-in-account-locked = Trop de tentatives échouées : ce compte est verrouillé pour un moment.

refusal-400 = Cette requête est illisible
refusal-401 = Veuillez vous connecter
refusal-403 = Non autorisé
refusal-404 = Introuvable
refusal-409 = Refusé : en conflit avec l'état actuel
refusal-413 = Trop volumineux
refusal-422 = Refusé
refusal-423 = Verrouillé
refusal-429 = Trop de requêtes
refusal-500 = Une erreur est survenue
refusal-502 = Un serveur en aval a échoué
refusal-503 = Indisponible pour un moment
refusal-internal = Le serveur n'a pas pu le faire. L'erreur est consignée ; veuillez réessayer plus tard.
refusal-status = Statut HTTP { $status }

tile-licenses-7 = licences expirant sous 7 jours
tile-licenses-30 = licences expirant sous 30 jours
tile-licenses-90 = licences expirant sous 90 jours
tile-subscriptions-30 = abonnements à renouveler sous 30 jours
tile-contracts-90 = contrats et lots expirant sous 90 jours
tile-seats-short = produits presque à court de postes chez un client

field-within-days = Expirant sous
field-group-by = Grouper par
field-type = Afficher
field-columns = Colonnes
group-plan = Offre
group-type = Type
group-customer = Client
group-contract-type = Type de contrat
group-supplier = Fournisseur
type-all = Tout
type-license = Licences
type-subscription = Abonnements
type-contract = Contrats et lots
show = Afficher
export-csv = Exporter en CSV
nothing-due = Rien n'expire dans cette période.
renewals-whole-group = Les { $count } de « { $group } »
renewals-groups-showing = Groupes { $first } à { $last } sur { $count }
renewals-groups-named = Groupes { $first } à { $last }
days = { $count ->
    [one] { $count } jour
   *[other] { $count } jours
}
days-left = { $count ->
    [0] aujourd'hui
    [one] encore { $count } jour
   *[other] encore { $count } jours
}
items-due = { $count ->
    [0] Rien à renouveler
    [one] { $count } à renouveler
   *[other] { $count } à renouveler
}

col-ends = Fin
col-id = Fiche
col-type = Type
col-product = Produit
col-plans = Offre
col-customer = Client
col-licensee = Titulaire
col-status = État
col-seats = Postes
col-days-left = Jours restants
col-supplier = Fournisseur
col-contract-type = Type de contrat
col-starts = Début
col-cost = Coût

kind-license-standard = Licence
kind-license-trial = Licence d'essai
kind-subscription = Abonnement
kind-contract = Contrat
kind-lot = Lot acheté
status-active = Active
status-suspended = Suspendue
status-cancelled = Résilié
status-revoked = Révoquée

## Catalogue, clés, achats, avis (console/catalogue.rs, keys.rs, purchases.rs, notices.rs, sheet.rs).
nav-catalogue = Catalogue
nav-purchases = Achats
nav-notices = Avis
nav-keys = Clés
sheet-cancel = Annuler
sheet-required = obligatoire
sheet-heed = À noter :
sheet-refused = Refusé :
sheet-first-rows = Seuls les { $count } premiers sont affichés.

cat-products = Produits
cat-policies = Politiques
cat-plans = Offres
cat-new-product = Nouveau produit
cat-new-policy = Nouvelle politique
cat-new-plan = Nouvelle offre
cat-create = Créer
cat-code = Code
cat-name = Nom
cat-id = Identifiant
cat-created = Créé le
cat-product = Produit
cat-policy = Politique
cat-kind = Type
cat-binding = Liaison
cat-seats = Postes
cat-duration = Durée
cat-options = Options
cat-features = Fonctionnalités
cat-perpetual = perpétuelle
cat-none = Aucun pour l’instant.
cat-no-options = Cette offre n’a pas d’option.
cat-meter-prices = Prix des compteurs
cat-meter-prices-rule = Un compteur par ligne : COMPTEUR | PRIX UNITAIRE | UNITÉS INCLUSES, le prix dans la devise de l’offre (par ex. api_calls | 0.01 | 10000) : à chaque période, les unités d’une licence au-delà des unités incluses sont facturées sur la facture suivante de l’abonnement. Le compteur doit être l’un de ceux de la politique ; l’offre doit avoir un prix.
cat-no-meter-prices = Cette offre ne facture aucune consommation.
cat-unit-price = Prix unitaire
cat-included = Unités incluses par période
cat-open-product = Ouvrir le produit { $product }
cat-open-policy = Ouvrir la politique { $policy }
cat-count-products = { $count ->
    [one] { $count } produit
   *[other] { $count } produits
}
cat-count-policies = { $count ->
    [one] { $count } politique
   *[other] { $count } politiques
}
cat-count-plans = { $count ->
    [one] { $count } offre
   *[other] { $count } offres
}
cat-product-lead = Un produit est ce pour quoi les licences sont émises : son code est écrit dans chaque fichier de licence.
cat-code-rule = 1 à 64 caractères : lettres, chiffres, « - », « _ » et « . » seulement. Unique.
cat-name-rule = 1 à 256 caractères, tel qu’on le lit.
cat-product-fixed = Le code d’un produit est écrit dans chaque licence émise pour lui : il ne change jamais ; son nom peut changer.
cat-policies-lead = Une politique est un modèle de licence : durée, liaison, postes, délai de grâce, connexion périodique et fonctionnalités.
cat-policy-lead = Chaque licence émise depuis cette politique en reprend les conditions.
cat-policy-fixed = Une modification de la politique vaut pour les licences émises ensuite : les licences déjà émises gardent les conditions avec lesquelles elles ont été signées. Le produit et le mode d’attribution d’une politique ne changent jamais.
cat-plans-lead = Une offre (Essentiel, Business, Entreprise…) est une politique et les options qu’une licence peut prendre.
cat-plan-lead = Une offre désigne une politique ; ses options ajoutent des fonctionnalités aux licences qui les prennent.
cat-plan-fixed = Une modification de l’offre vaut pour les licences émises ensuite : les licences déjà émises gardent leurs droits. Rien n’est supprimé : une offre qui n’est plus vendue est retirée.
cat-edit = Modifier
cat-edit-title = Modifier { $name }
cat-save = Enregistrer les modifications
cat-retire = Retirer
cat-retired = retiré
cat-retire-title = Retirer { $name } ?
cat-retire-what = { $name } ne sera plus proposé pour aucune nouvelle licence ni aucun nouvel abonnement. Il reste au catalogue, marqué retiré, et les licences déjà émises depuis lui continuent de fonctionner sans changement. Un retrait est définitif.
cat-retired-notice = Retiré le { $date } : proposé pour aucune nouvelle licence ni aucun nouvel abonnement ; les licences déjà émises depuis lui sont inchangées.
cat-plan-name-rule = 1 à 128 caractères, unique par produit.
cat-plan-policy-rule = La politique dont sont faites les licences de l’offre ; l’offre appartient à son produit.
cat-options-rule = Une option par ligne : CODE | Nom | FONCTION, FONCTION | PRIX (les fonctionnalités et le prix, par poste et par mois dans la devise de l’offre, sont facultatifs). Chaque code une seule fois.
cat-currency = Devise
cat-currency-rule = Code ISO 4217 des prix de l’offre ; aucune : l’offre n’est pas facturée.
cat-unpriced = Sans prix
cat-price = Prix par poste et par mois
cat-price-rule = Dans l’unité principale de la devise, par ex. 15.00 (au plus autant de décimales que la devise).
cat-tax-rate = Taux de TVA (%)
cat-tax-rate-rule = Un pourcentage de 0 à 100, par ex. 20 ou 5.5 ; s’applique à l’offre et à ses options.
cat-tax-shown = TVA { $rate } %
cat-kind-standard = Standard
cat-kind-trial = Essai
cat-binding-node-locked = Liée à la machine
cat-binding-unbound = Non liée
cat-binding-floating = Flottante
cat-binding-named-user = Utilisateur nommé
cat-match-all = tous les composants
cat-match-most = la plupart des composants
cat-match-two = deux composants
cat-match-any = un composant
cat-f-product-id = Produit
cat-f-product-id-rule = Le produit de ses licences.
cat-f-name = Nom
cat-f-name-rule = 1 à 128 caractères, unique par produit.
cat-f-kind = Type
cat-f-kind-rule = Standard ou essai.
cat-f-binding = Liaison
cat-f-binding-rule = Liée à des machines, non liée, flottante (jetons jusqu’au nombre de postes) ou utilisateur nommé.
cat-f-match-rule = Règle de correspondance
cat-f-match-rule-rule = Combien de composants d’une machine doivent correspondre pour qu’une licence liée reste valide.
cat-f-duration-days = Durée (jours)
cat-f-duration-days-rule = Les licences expirent ce nombre de jours après l’émission ; vide pour une licence perpétuelle.
cat-f-seats = Postes
cat-f-seats-rule = Machines d’une licence liée, plafond d’une licence flottante ; au moins 1.
cat-f-grace-days = Grâce après expiration (jours)
cat-f-grace-days-rule = Jours pendant lesquels une licence reste admise, avec un avertissement, après son expiration ; vide pour aucun.
cat-f-check-in-days = Connexion tous les (jours)
cat-f-check-in-days-rule = Le produit se connecte en ligne à cette fréquence ; vide pour jamais.
cat-f-max-offline-days = Grâce hors ligne (jours)
cat-f-max-offline-days-rule = Jours qu’une machine peut rester hors ligne après une connexion manquée.
cat-f-renew-soon-days = À renouveler (jours avant l’expiration)
cat-f-renew-soon-days-rule = Les licences avertissent « à renouveler » ce nombre de jours avant d’expirer ; demande une durée, et moins de jours qu’elle ; vide pour aucun avertissement.
cat-f-maintenance-days = Maintenance (jours)
cat-f-maintenance-days-rule = Les versions publiées jusqu’à ce nombre de jours après l’émission sont couvertes ; renouveler une licence perpétuelle la prolonge ; vide pour toutes les versions.
cat-f-allow-virtual-machines = Machines virtuelles
cat-f-allow-virtual-machines-rule = Si les licences fonctionnent dans une machine virtuelle ; refusé, le verdict du produit le dit (règle 111) là où il détecte un hyperviseur, qu’un hôte résolu peut cacher.
cat-f-allow-containers = Conteneurs
cat-f-allow-containers-rule = Si les licences fonctionnent dans un conteneur (Docker, Podman, Kubernetes, LXC) ; refusé, le verdict du produit le dit (règle 112) là où il en détecte un.
cat-allow-true = autorisées
cat-allow-false = refusées
cat-f-entitlements = Fonctionnalités
cat-f-entitlements-rule = Une par ligne : CODE, CODE=NOMBRE ou CODE@AAAA-MM-JJ (sa propre fin).
cat-f-meters = Compteurs
cat-f-meters-rule = Un par ligne : NOM=QUOTA/PÉRIODE, la période day, month, year ou term (p. ex. api_calls=10000/month).
cat-f-temp-quota = Licences temporaires par période
cat-f-temp-quota-rule = Licences temporaires qu’une licence peut avoir par période, pour une machine en panne ; au moins 1.
cat-f-temp-period-days = Période des licences temporaires (jours)
cat-f-temp-period-days-rule = La période sur laquelle le quota est compté ; au moins 1.
cat-f-temp-duration-days = Durée d’une licence temporaire (jours)
cat-f-temp-duration-days-rule = Combien de temps court une licence temporaire ; au moins 1.
cat-f-lease-ttl-secs = Durée d’un jeton (secondes)
cat-f-lease-ttl-secs-rule = Un jeton flottant dure ce temps s’il n’est pas renouvelé ; au moins 1.
cat-f-max-transfers = Changements de machine par période
cat-f-max-transfers-rule = Machines que le produit peut libérer par période ; vide pour aucune limite (le personnel n’est pas limité).
cat-f-transfer-period-days = Période des changements (jours)
cat-f-transfer-period-days-rule = La période sur laquelle les changements sont comptés ; au moins 1.

keys-title = Clés de signature
keys-lead = La clé active signe chaque licence, renouvellement et liste de révocation ; les clés de confiance valident encore ce qu’elles ont signé ; les clés retirées sont nommées dans chaque liste de révocation.
keys-done = Fait : clé { $key }.
keys-rotate = Renouveler la clé de signature
keys-download-active = Télécharger la clé publique active (PEM)
keys-count = { $count ->
    [one] { $count } clé
   *[other] { $count } clés
}
keys-id = Identifiant de clé
keys-state = État
keys-public = Clé publique
keys-rollover = Déclaration de passage
keys-action = Action
keys-pem = PEM
keys-statement = Télécharger
keys-first = aucune (première clé)
keys-signs-now = signe actuellement
keys-retire = Retirer…
keys-retired-final = retirée définitivement
keys-state-active = Active
keys-state-trusted = De confiance
keys-state-retired = Retirée
keys-rotate-button = Renouveler maintenant
keys-rotate-what = Une nouvelle clé devient la clé active et signe tout désormais. La clé actuelle { $key } reste de confiance : les licences qu’elle a signées restent valides.
keys-rotate-field = Les produits déployés apprennent la nouvelle clé par sa déclaration de passage, signée par la clé actuelle, lorsqu’ils récupèrent les clés ; un produit qui ne les récupère jamais doit recevoir la nouvelle clé publique avant de rencontrer une licence qu’elle a signée.
keys-rotate-old = Rien de ce qui a déjà été émis ne change. Pour ne plus faire confiance à l’ancienne clé plus tard, retirez-la.
keys-retire-title = Retirer la clé { $key }
keys-retire-button = Retirer cette clé
keys-retire-what = Les licences signées par elle cessent d’être valides dès que les produits récupèrent la liste de révocation : chaque liste de révocation nomme désormais cette clé.
keys-retire-final-note = Le retrait est définitif : la clé n’est plus jamais de confiance. Émettez d’abord de nouveau, avec la clé active, les licences qu’elle a signées.

pur-title = Achats
pur-lead = Les lots achetés par le haut de l’arborescence des clients, et les clients auxquels ils ont été refacturés. La refacturation ne déplace aucun poste : les postes se déplacent par allocation.
pur-new = Enregistrer un achat
pur-new-lead = Un lot augmente les postes du produit de l’acheteur de sa quantité.
pur-record = Enregistrer l’achat
pur-any = Tous
pur-count = { $count ->
    [one] { $count } achat
   *[other] { $count } achats
}
pur-none = Aucun achat ici.
pur-customer = Client
pur-product = Produit
pur-customer-id = Acheteur
pur-customer-id-rule = Un nœud en haut de l’arborescence des clients (le plus souvent un partenaire).
pur-product-id = Produit
pur-product-id-rule = Le produit acheté.
pur-quantity = Quantité
pur-quantity-rule = Postes achetés : un nombre entier de 1 à 1000000000.
pur-serial = Numéro de série
pur-serial-rule = Numéro de série ou clé d’enregistrement, unique par produit ; facultatif.
pur-version = Version
pur-version-rule = La version achetée ; facultatif.
pur-purchased-on = Acheté le
pur-purchased-on-rule = Une date du calendrier, AAAA-MM-JJ.
pur-renews-on = Renouvelé le
pur-renews-on-rule = Après la date d’achat, AAAA-MM-JJ ; facultatif.
pur-cost = Coût
pur-cost-rule = Un montant décimal comme 1234.50, avec au plus les décimales de la devise ; demande sa devise.
pur-currency = Devise
pur-currency-rule = Un code ISO 4217 comme EUR, USD ou JPY.
pur-po-number = Numéro de bon de commande
pur-po-number-rule = Numéro du bon de commande ; facultatif.
pur-invoice-number = Numéro de facture
pur-invoice-number-rule = Numéro de facture ; facultatif.
pur-notes = Remarques
pur-notes-rule = Texte libre ; facultatif.
pur-contract-id = Contrat
pur-contract-id-rule = Le contrat de renouvellement qui couvre le lot, l'un de ceux de l'acheteur ; facultatif.
pur-no-contract = Aucun
pur-rebilled = Refacturé
pur-not-rebilled = Pas encore refacturé
pur-lot-title = Lot de { $product }
pur-back = Retour aux achats
pur-rebillings = Refacturations
pur-no-rebillings = Rien n’est encore refacturé.
pur-when = Quand
pur-rebill = Refacturer une partie de ce lot
pur-rebill-lead = { $count ->
    [0] Tous les postes de ce lot sont déjà refacturés.
    [one] { $count } poste de ce lot peut encore être refacturé.
   *[other] { $count } postes de ce lot peuvent encore être refacturés.
}
pur-rebill-customer = Client facturé
pur-rebill-customer-rule = Un client de votre partie de l’arborescence.
pur-rebill-quantity = Postes refacturés
pur-rebill-quantity-rule = Jamais plus que ce que le lot n’a pas encore refacturé.

ntc-title = Avis
ntc-lead = Qui reçoit les avis (webhooks et adresses e-mail), et les avis écrits par les tâches, les plus récents d’abord.
ntc-new = Nouvel abonnement aux avis
ntc-new-lead = Choisissez les avis, et un seul endroit où les envoyer : une adresse e-mail ou (administrateur seulement) un webhook.
ntc-subscribe = S’abonner
ntc-made = Abonnement créé
ntc-secret = Secret de signature
ntc-secret-once = Copiez ce secret maintenant : il n’est affiché qu’une fois. Le destinataire du webhook vérifie avec lui la signature de chaque avis.
ntc-back = Retour aux avis
ntc-count-subscriptions = { $count ->
    [one] { $count } abonnement
   *[other] { $count } abonnements
}
ntc-notifications = Notifications écrites
ntc-count-notifications = { $count ->
    [one] { $count } avis
   *[other] { $count } avis
}
ntc-no-subscriptions = Personne n’est encore abonné aux avis.
ntc-no-notifications = Aucun avis écrit pour l’instant.
ntc-target = Envoyé à
ntc-to-webhook = webhook { $url }
ntc-to-email = e-mail { $email }
ntc-kinds = Avis
ntc-kinds-rule = Au moins un.
ntc-email = Adresse e-mail
ntc-email-rule = Comme ops@example.com ; donnez soit ceci, soit un webhook.
ntc-webhook = URL du webhook
ntc-webhook-rule = https:// (ou http://), pas d’adresse interne ; administrateur seulement ; donnez soit ceci, soit une adresse e-mail.
ntc-role = Rôle
ntc-role-rule = Envoyer aux comptes qui détiennent ce rôle ; un autre rôle qu’administrateur ne s’abonne que pour lui-même.
ntc-no-role = aucun
ntc-delete = Supprimer…
ntc-delete-title = Supprimer cet abonnement aux avis
ntc-delete-what = Il ne reçoit plus d’avis, et ses envois en attente sont annulés. Les envois déjà faits restent dans le journal.
ntc-delete-button = Supprimer l’abonnement
ntc-written = Écrit le
ntc-kind = Type
ntc-subject = Concerne
ntc-due-on = Date annoncée
ntc-lead-days = Jours d’avance
ntc-run-date = Exécution du
ntc-notification-title = Avis : { $kind }
ntc-deliveries = Envois
ntc-no-deliveries = Aucun abonnement ne reçoit cet avis.
ntc-status = État
ntc-retry = État des tentatives
ntc-attempts = Tentatives
ntc-last-error = Dernière erreur
ntc-attempts-title = Toutes les tentatives
ntc-no-attempts = Aucune tentative pour l’instant.
ntc-attempt = Tentative
ntc-at = Le
ntc-code = Code de réponse
ntc-error = Erreur
ntc-next = Prochaine tentative
ntc-ok = réussie
ntc-delivered = livré le { $when }
ntc-pending-first = première tentative à venir
ntc-retry-at = nouvelle tentative le { $when }
ntc-failed = tentatives épuisées : abandonné
ntc-cancelled = abonnement supprimé
ntc-status-pending = En attente
ntc-status-delivered = Livré
ntc-status-failed = Échoué
ntc-status-cancelled = Annulé
ntc-kind-license-expiring = licence arrivant à expiration
ntc-kind-subscription-expiring = abonnement arrivant à expiration
ntc-kind-subscription-renewing = abonnement en renouvellement
ntc-kind-subscription-renewed = abonnement renouvelé
ntc-kind-invoice-due = facture à échéance
ntc-kind-cancellation-deadline = date limite de résiliation
ntc-kind-contract-ending = fin de contrat

## Personnes : comptes, droits, paramètres, mots de passe
nav-accounts = Comptes
nav-settings = Mes paramètres
cancel = Annuler
yes = oui
no = non
save = Enregistrer
node-vendor = l'éditeur (tout)
node-partner = partenaire
node-customer = client
node-site = site
role-admin = Administrateur
role-issuer = Émetteur
role-finance = Finance
role-auditor = Auditeur
role-member-manager = Gestionnaire des membres
language-en = English
language-fr = Français
language-de = Deutsch
right-raise = peut augmenter les postes
right-lower = peut réduire les postes
right-monthly-only = abonnements mensuels uniquement
right-renewal = peut changer l'option de renouvellement
accounts-caption = Les personnes qui se connectent, dans le périmètre de vos droits d'administration
col-name = Nom
col-language = Langue
col-time-zone = Fuseau horaire
col-second-factor = Second facteur
col-created = Créé le
col-rights = Droits délégués
col-granted-since = Depuis
col-actions = Actions
account-disabled = désactivé
new-account = Nouveau compte
field-role = Rôle
field-node = Où
field-first-password = Premier mot de passe (facultatif)
first-password-help = Au moins 12 caractères. Laissez vide et envoyez plutôt une invitation : la personne choisira le sien.
create-account = Créer le compte
grants = Droits
add-grant = Attribuer un rôle
account-actions = Compte
send-invitation = Envoyer une invitation à choisir un mot de passe
invitation-sent = Une invitation a été envoyée à { $email }.
disable-title = Désactiver { $name } ?
disable-consequence = { $email } ne pourra plus se connecter : ses sessions ouvertes se terminent maintenant et ses jetons d'API sont révoqués. Son historique est conservé.
disable-button = Désactiver le compte
revoke-grant-title = Révoquer ce droit ?
revoke-grant-consequence = Le compte perd ce rôle à cet endroit immédiatement ; ses autres droits sont conservés.
revoke-grant-button = Révoquer
settings-profile = Langue et fuseau horaire
time-zone-help = Les dates sont affichées dans ce fuseau. Tout nom IANA, par exemple Europe/Paris.
settings-password = Mot de passe
field-current-password = Mot de passe actuel
field-new-password = Nouveau mot de passe
field-password-again = Nouveau mot de passe, à nouveau
password-rule = Au moins 12 caractères.
change-password = Changer le mot de passe
passwords-differ = Les deux nouveaux mots de passe diffèrent.
password-changed = Votre mot de passe a été changé.
settings-totp = Second facteur
totp-on = La connexion demande un code de votre application d'authentification.
totp-off = La connexion ne demande que votre mot de passe. Ajoutez un code d'application d'authentification pour protéger ce compte.
totp-start = Configurer une application d'authentification
totp-scan = Saisissez ce secret dans votre application d'authentification (ou l'adresse ci-dessous), puis tapez le code qu'elle affiche. Le secret n'est affiché qu'une fois.
totp-confirm = Confirmer le code
forgot-password = Mot de passe oublié ?
reset-title = Réinitialiser votre mot de passe
reset-button = M'envoyer un lien
reset-mailed = Si cette adresse a un compte, un lien pour choisir un nouveau mot de passe est en route. Il ne sert qu'une fois, pendant peu de temps.
set-password-title = Choisissez votre mot de passe
field-link-token = Code du lien
link-token-help = Rempli depuis le lien reçu par e-mail ; sinon collez ce qui suit « #token= ».
set-password-button = Enregistrer le mot de passe
password-set = Votre mot de passe est enregistré : vous pouvez vous connecter.
# Clients, membres et abonnements (ticket 13 : les écrans Wazo et Rainbow).
nav-customers = Clients
nav-subscriptions = Abonnements
no-customers = Aucun client n'est à votre portée.
tree-caption = Postes par produit à chaque nœud : détenus, donnés aux enfants, utilisés par les membres et les machines, libres.
col-node = Nœud
tree-search = Trouver un nœud par son nom
tree-up = Remonter d'un niveau
tree-children-of = Sous
tree-expand = Enfants
col-allocated = Alloués
col-given = Donnés
col-used = Utilisés
col-free = Libres
col-consumed = Consommés
seats-consumed = { $consumed } sur { $allocated } consommés
no-seats = Aucun poste détenu
seats-heading = Postes
children-heading = Enfants
all-children = Tous les enfants, page par page
no-children = Ce nœud n'a pas d'enfant.
history-link = Historique des droits
allocate-heading = Donner des postes à un enfant
allocate-top-heading = Donner des postes à un nœud de tête
allocate-rule = Les postes d'un nœud viennent de son parent. Seule la finance augmente une allocation ; l'admin, l'émetteur et la finance peuvent la réduire.
field-child = Enfant
field-seats = Postes
allocate-button = Fixer l'allocation
add-child-heading = Ajouter un nœud
field-kind = Type
field-name = Nom
field-node-name = Nom du nouveau nœud
field-email-optional = Adresse e-mail (facultative)
add-child-button = Ajouter
members-heading = Membres
no-members = Aucun membre.
members-count = { $count ->
    [one] { $count } membre
   *[other] { $count } membres
}
col-service = Service
col-options = Options
col-license = Licence
col-since = Membre depuis
no-service = aucun service
default-plan-mark = offre par défaut
add-member-heading = Ajouter un membre
field-service-from = Attribuer un service de l'offre par défaut ({ $plan })
no-default-plan = Ce nœud n'a pas d'offre par défaut : le membre n'aura pas de service.
add-member-button = Ajouter le membre
actions = Actions
unassign-service = Retirer le service
delete-member = Supprimer le membre
confirm-unassign = Retirer le service ?
confirm-unassign-what = Le service de { $name } sera retiré : sa licence est révoquée, ses machines cessent de fonctionner et son poste est libéré.
confirm-delete-member = Supprimer le membre ?
confirm-delete-member-what = { $name } sera supprimé.
confirm-delete-member-service = { $name } sera supprimé : son service est d'abord retiré, sa licence révoquée et son poste libéré.
confirm-lower-allocation = Réduire l'allocation ?
confirm-lower-allocation-what = { $child } détiendra { $to } postes de { $product } au lieu de { $from } ; { $back } reviennent à ce nœud.
lower-seats = Réduire les postes
confirm-lower-seats = Réduire les postes ?
confirm-lower-seats-what = L'abonnement aura { $to } postes au lieu de { $from }, ses licences aussi.
done-allocation = L'allocation est enregistrée.
done-child = Le nœud est ajouté.
done-member = Le membre est ajouté.
done-deleted = Le membre est supprimé.
done-unassigned = Le service est retiré.
done-seats = Les postes sont modifiés.
done-renewal = L'option de renouvellement est modifiée.
done-star = Cet abonnement est désormais la licence par défaut : les nouveaux membres prennent l'une de ses licences.
# Membres en masse : import (vérifié d'abord, rien n'est écrit) et export.
import-members = Importer des membres (CSV)
export-members = Exporter les membres (CSV)
import-title = Importer des membres
import-what = Un membre par ligne, après une première ligne qui nomme les colonnes. customer désigne ce nœud ou un nœud en dessous, par son identifiant ou sa référence externe ; name et email sont obligatoires ; plan_id donne à chaque membre un service de cette offre, avec des options séparées par « ; ». Chaque ligne est d'abord vérifiée, et rien n'est écrit tant qu'elles ne sont pas toutes valides et que vous n'avez pas confirmé.
import-columns = Colonnes :
field-csv-file = Fichier CSV
field-csv-text = Ou collez le CSV ici (utilisé si aucun fichier n'est choisi)
import-progress = Progression de l'envoi
import-check = Vérifier les lignes
import-report = Lignes à corriger
import-refused = { $count ->
    [one] 1 ligne est refusée : rien n'a été écrit. Corrigez-la et vérifiez à nouveau.
   *[other] { $count } lignes sont refusées : rien n'a été écrit. Corrigez-les et vérifiez à nouveau.
}
col-line = Ligne
col-column = Colonne
col-problem = Problème
import-no-csv = Choisissez un fichier CSV ou collez son texte.
import-no-rows = Le fichier ne nomme aucun membre : après la ligne des noms de colonnes, un membre par ligne.
confirm-import = Créer les membres ?
confirm-import-what = { $count ->
    [one] Toutes les lignes sont valides : 1 membre sera créé dans { $node }.
   *[other] Toutes les lignes sont valides : { $count } membres seront créés dans { $node }.
}
import-button = { $count ->
    [one] Créer 1 membre
   *[other] Créer { $count } membres
}
import-done = { $count ->
    [one] 1 membre est créé dans { $node }.
   *[other] { $count } membres sont créés dans { $node }.
}
import-see-members = Voir les membres
history-of = Historique de { $name }
history-heading = Historique
history-empty = Rien n'est encore enregistré.
history-older = Entrées suivantes
col-operation = Opération
col-when = Quand
col-done-by = Par
col-details = Détails
no-subscriptions = Aucun abonnement n'est à votre portée.
col-plan = Offre
col-term = Durée
col-term-end = Fin de période
col-renewal = Renouvellement
col-expires = Expire le
col-final-end = Dernier jour
col-next-invoice = Prochaine facture
col-last-day-to-cancel = Dernier jour pour résilier
term-monthly = Mensuel
term-prepaid-1y = 1 an prépayé
term-prepaid-3y = 3 ans prépayés
term-prepaid-5y = 5 ans prépayés
renewal-none = Sans renouvellement
renewal-once = Renouvelé une fois
renewal-always = Renouvelé à chaque période
renewal-switch_to_monthly = Renouvelé en mensuel
renews-on = période suivante à partir du { $date }
status-ended = Terminé
subscription-members = Membres servis : { $assigned } licences sur { $seats }, { $free } libres
star-subscription-mark = licence par défaut de l'entreprise
make-star-button = En faire la licence par défaut
change-heading = Modifier
change-seats-button = Modifier les postes
change-renewal-button = Modifier le renouvellement
# Licences (console/licenses.rs)
nav-licenses = Licences
issue-license = Émettre une licence
search = Rechercher
any = Toutes
none = Aucun
never = Jamais
field-key = Clé ou identifiant de licence
no-license-found = Aucune licence ne correspond à cette recherche.
licenses-found = { $count ->
    [0] Aucune licence
    [one] { $count } licence
   *[other] { $count } licences
}
pages = Pages
previous-page = Page précédente
next-page = Page suivante
paging-showing = Affichage de { $first } à { $last }
paging-none = Rien sur cette page
back-to-licenses = Retour aux licences
back-to-license = Retour à la licence
license-of = Licence de { $licensee }
terms = Conditions
term-policy = Politique
term-features = Fonctionnalités
term-valid-from = Valide à partir du
term-expires = Expire le
term-grace = Délai de grâce après expiration
term-key = Clé
download-file = Télécharger le fichier de licence (.lic)
download-line = Le télécharger sur une ligne
license-qr = La licence sur une ligne, en code QR : scannez-le pour porter la licence sur une machine sans réseau.
license-qr-alt = Code QR de la licence sur une ligne
no-own-file = Cette licence n'a pas de fichier propre : chaque machine reçoit le sien à son activation.
action-renew = Renouveler
action-suspend = Suspendre
action-reinstate = Rétablir
action-revoke = Révoquer
action-deactivate = Désactiver
machines = Machines
no-machines = Aucune machine n'a été activée.
machines-all = Toutes les machines
machines-of = Machines de { $licensee }
col-machine = Machine
col-platform = Plateforme
col-mode = Activation
col-activated = Activée le
col-last-seen = Dernier contact
col-from = Du
col-until = Au
mode-online = En ligne
mode-offline = Hors ligne
machine-active = Active
machine-deactivated = Désactivée le { $date }
machine-named = Machine { $fingerprint }
leases = Jetons flottants
leases-all = Tous les jetons flottants
leases-of = Jetons flottants de { $licensee }
no-leases = Aucun poste n'a été emprunté.
meters = Compteurs (période en cours)
col-meter = Compteur
col-used-quota = Consommé / quota
col-period = Période
meter-period-day = chaque jour (UTC)
meter-period-month = chaque mois (UTC)
meter-period-year = chaque année (UTC)
meter-period-term = la durée de la licence
lease-held = Emprunté
lease-expired = Expiré
lease-returned = Rendu le { $date }
history = Historique
field-reason = Motif (conservé dans l'historique)
confirm-suspend-title = Suspendre cette licence ?
confirm-suspend-what = La licence cesse d'être validée au prochain contact de chaque machine, jusqu'à son rétablissement. Ses machines gardent leurs postes.
confirm-reinstate-title = Rétablir cette licence ?
confirm-reinstate-what = La licence est de nouveau validée dès le prochain contact de chaque machine.
confirm-revoke-title = Révoquer cette licence ?
confirm-revoke-what = La licence cesse d'être validée au prochain contact ; la révocation est définitive : elle ne peut pas être rétablie, et la licence entre dans la liste de révocation.
confirm-deactivate-title = Désactiver cette machine ?
confirm-deactivate-what = La machine rend son poste : son fichier n'est plus renouvelé à chaque contact, et une autre machine peut être activée à sa place.
field-new-expiry = Nouvelle date d'expiration
field-soft-expiry = Date « à renouveler bientôt » (facultative)
field-updates-until = Fin de la maintenance (facultative : les versions publiées jusque-là sont couvertes)
field-renew-mode = Ce que reçoit le client
renew-mode-file = Un nouveau fichier de licence
renew-mode-token = Un jeton de renouvellement pour le fichier qu'il détient
field-renew-which = Le fichier que le jeton renouvelle
action-renew-machine = Renouveler son fichier
renew-other-machine = Une autre machine : choisissez-la parmi
renew-other-machine-link = les machines de la licence
own-file = Le fichier propre de la licence
renewal-token = Jeton de renouvellement
renewal-token-made = La licence est renouvelée. Remettez ce jeton de renouvellement au client :
field-issue-from = Émettre à partir de
choose = Choisir
plans = Offres
policies = Politiques
field-options = Options
no-customer = Aucun client (administrateurs de l'éditeur seulement)
field-seats-over = Postes (vide : ceux de la politique)
field-expires-over = Date d'expiration (vide : la durée de la politique)
license-issued = Licence émise
license-issued-for = La licence de { $licensee } est émise.
license-key = Clé de licence
key-shown-once = Copiez cette clé maintenant : elle n'est affichée qu'une fois. Le back-office n'en garde qu'une empreinte.
open-license = Ouvrir la licence
temporary-title = Licence temporaire pour une panne
temporary-quota = { $count ->
    [0] Cette politique n'autorise aucune licence temporaire.
    [one] Cette politique autorise { $count } licence temporaire par licence
   *[other] Cette politique autorise { $count } licences temporaires par licence
}
temporary-period = { $count ->
    [one] sur { $count } jour glissant.
   *[other] sur { $count } jours glissants.
}
temporary-duration = { $count ->
    [one] Chacune est valable { $count } jour, jamais au-delà de la licence, et ne prend pas de poste.
   *[other] Chacune est valable { $count } jours, jamais au-delà de la licence, et ne prend pas de poste.
}
field-replacement = Empreinte de la machine de remplacement
temporary-issue = Émettre la licence temporaire
temporary-made = Licence temporaire émise, valable jusqu'au { $date }.
temporary-file = Fichier de licence temporaire (à enregistrer en .lic à côté du produit)
offline-title = Activation hors ligne
offline-what = Une machine sans accès réseau écrit un fichier de demande d'activation. Déposez-le ici, puis rapportez le fichier de réponse signé sur la machine.
field-request-file = Fichier de demande d'activation
field-request-code = …ou son code, lu au téléphone (groupes de cinq caractères)
field-valid-days = Jours pendant lesquels la réponse peut servir
offline-answer = Télécharger le fichier de réponse
offline-answer-qr = Afficher la réponse en code QR
offline-qr-shown = La réponse est signée : scannez ce code QR avec un téléphone et portez-le jusqu'à la machine, ou copiez sa forme sur une ligne.
offline-qr-alt = Code QR de la réponse d'activation sur une ligne
offline-answer-line = La réponse sur une ligne
telephone-title = Activation par téléphone
telephone-what = La machine affiche un code de demande de six groupes de cinq caractères. Tapez-le tel que l'appelant le lit ; chaque groupe a un chiffre de contrôle, un groupe mal tapé est donc signalé. Lisez ensuite le code de réponse : la machine l'accepte jusqu'au jour indiqué.
field-telephone-code = Code de demande téléphonique
telephone-answer = Répondre au code
telephone-answered = Lisez ce code de réponse à l'appelant. La machine l'accepte jusqu'au { $date }.
telephone-qr-alt = Code QR du code de réponse

## Rapports
nav-reports = Rapports
report-numbers = Les chiffres
chart-empty = Rien à afficher pour l'instant.
report-time-to-activation = Délai entre émission et première activation (médiane, par produit)
median-days = médiane { $days } jours
col-activated-count = Activées
col-licences = Licences
col-median-days = Médiane (jours)
col-p90-days = 90e centile (jours)
never-activated-note = Les licences jamais activées sont comptées dans le tableau et exclues de la médiane et du 90e centile.
report-platforms = Machines actives par plateforme
machines-active = { $count ->
    [one] { $count } machine
   *[other] { $count } machines
}
col-active = Actives
col-total = Activées un jour
report-licence-models = Licences par modèle
binding-unbound = libre
binding-node-locked = liée à la machine
binding-floating = flottante
binding-named-user = utilisateur nommé
col-model = Modèle
col-seats-used = Postes utilisés
report-issued = Licences émises par mois
col-month = Mois
tile-cancel-this-month = abonnements dont le dernier jour pour résilier tombe ce mois-ci
subs-cancellable-lead = Seuls les abonnements dont le dernier jour pour résilier tombe entre aujourd’hui et la fin du mois.
subs-all = Tous les abonnements
tile-failed-deliveries = envois d'avis définitivement en échec
tile-activations-today = activations aujourd'hui (UTC)

## Refus : les problèmes de l'API, redits par type, avec leurs nombres.
problem-account-locked = Trop d'échecs de connexion : ce compte est verrouillé pour un moment.
problem-allocation-exceeds-parent = Le parent détient { $allocated } sièges : { $given } donnés à ses enfants, { $used } utilisés, { $free } libres.
problem-allocation-exhausted = Ce client détient { $allocated } sièges de ce produit : { $used } utilisés, { $given } donnés à ses enfants. Aucun n'est libre.
problem-allocation-in-use = Ce nœud a donné { $given } sièges à ses enfants et en utilise { $used } : il ne peut en détenir moins.
problem-allocation-purchased = Ce nœud a acheté { $purchased } sièges de ce produit : il ne peut en détenir moins.
problem-bad-request = Cette requête est illisible : { $detail }
problem-buyer-not-root = Un lot est acheté par le sommet de l'arborescence clients, qui le répartit et peut le refacturer ; ce client a un parent.
problem-holder-not-root = Un contrat est détenu par le sommet de l'arborescence clients, comme les lots qu'il couvre ; ce client a un parent.
problem-conflict = Refusé : { $detail }
problem-csrf-token-missing = Le formulaire a expiré. Rouvrez la page et recommencez.
problem-current-password-wrong = Le mot de passe actuel n'est pas celui-ci.
problem-customer-required = Une licence sans client est un acte d'administrateur : choisissez son client.
problem-database-busy = La base de données est occupée. Réessayez dans un instant.
problem-database-unavailable = La base de données est injoignable. Réessayez dans un instant.
problem-does-not-renew = L'abonnement se termine avec sa période en cours : il ne se renouvelle pas.
problem-ends-by-itself = L'abonnement se termine de lui-même le { $final_end }, avant toute fin qu'un préavis pourrait encore atteindre.
problem-file-not-trusted = Le fichier ne se vérifie pas avec les clés de confiance.
problem-forbidden = Non autorisé : { $detail }
problem-internal = Le serveur n'a pas pu le faire. C'est consigné ; réessayez plus tard.
problem-invalid = Refusé : { $detail }
problem-invalid-rows = Des lignes sont erronées ; rien n'a été modifié.
problem-key-active = La clé active ne peut être retirée : faites d'abord une rotation.
problem-key-retired = Cette clé est déjà retirée.
problem-key-rotated = Une autre rotation est passée avant : réessayez.
problem-keys-changing = Les clés de signature ont changé pendant la requête : réessayez.
problem-lease-ended = Le bail a expiré ou a été rendu : reprenez un siège.
problem-license-changed = La licence a changé pendant l'opération ; rien n'a été modifié. Relisez-la et réessayez.
problem-license-expired = La licence a expiré.
problem-license-inactive = La licence n'est pas active.
problem-license-revoked = La licence est révoquée.
problem-license-status = La licence est { $license_status ->
        [suspended] suspendue
        [revoked] révoquée
        [active] active
       *[other] { $license_status }
    } : ce changement lui est impossible.
problem-license-suspended = La licence est suspendue.
problem-link-invalid = Ce lien est inconnu, déjà utilisé ou expiré : demandez-en un nouveau.
problem-login-failed = Adresse e-mail ou mot de passe incorrect.
problem-lot-exceeded = Le lot compte { $quantity } sièges dont { $rebilled } déjà refacturés : { $asked } ne peuvent être refacturés.
problem-mail-failed = Le relais de messagerie n'a pas pris le message : réessayez plus tard.
problem-method-not-allowed = Cette adresse n'accepte pas cette requête.
problem-no-route = Cette page n'existe pas.
problem-no-seat-available = Les { $seats } sièges sont tous utilisés.
problem-no-service = Le membre ne détient aucun service.
problem-not-activated = Cette machine n'est pas activée pour cette licence.
problem-not-current-term = Seule la période en cours peut changer ; elle se termine le { $term_end }.
problem-not-found = Introuvable : { $detail }
problem-overloaded = Le serveur est aussi occupé qu'il peut l'être : réessayez sous peu.
problem-parent-unallocated = Le nœud parent ne détient aucun siège de ce produit.
problem-rate-limited = Trop de requêtes : patientez un moment et réessayez.
problem-read-only = La base de données n'accepte aucune modification pour l'instant : un opérateur doit la rendre modifiable.
problem-request-timeout = La requête a mis trop de temps à arriver.
problem-retired = { $record ->
        [product] Ce produit est retiré : il ne change plus et n'est plus proposé.
        [policy] Cette politique est retirée : elle ne change plus et n'est plus proposée.
        [plan] Cette offre est retirée : elle ne change plus et n'est plus proposée.
        [customer] Ce client est retiré : il ne change plus et ne prend plus rien de nouveau.
       *[other] Cet élément est retiré : il ne change plus et n'est plus proposé.
    }
problem-rights-not-delegated = Ce changement de l'abonnement revient au partenaire, sauf s'il vous en a délégué le droit.
problem-seats-in-use = { $seats_used } sièges sont utilisés : la licence ne peut en avoir moins.
problem-seats-raise-forbidden = Vous pouvez donner au plus { $entitled } sièges ; { $seats } est une hausse, que seule la finance peut faire.
problem-service-assigned = Le membre détient déjà un service : retirez-le d'abord.
problem-service-changed = Le service du membre a changé entre-temps : relisez le membre.
problem-session-ended = Votre session est terminée : reconnectez-vous.
problem-storage-full = La base de données est pleine : un opérateur doit libérer de l'espace.
problem-subscription-changed = L'abonnement n'a cessé de changer pendant la requête : réessayez.
problem-subscription-ended = L'abonnement est terminé.
problem-subscription-inactive = L'abonnement est { $subscription_status ->
        [cancelled] résilié
        [ended] terminé
        [suspended] suspendu
       *[other] { $subscription_status }
    }.
problem-temporary-quota-used = Cette licence a déjà eu { $used ->
        [one] une licence temporaire
       *[other] { $used } licences temporaires
    } sur la période en cours : son quota est de { $quota }.
problem-token-expired = Cette clé a expiré : demandez-en une nouvelle.
problem-too-large = C'est plus grand que ce que le serveur accepte.
problem-too-late-to-cancel = Le dernier jour pour résilier la période se terminant le { $term_end } était le { $last_day_to_cancel }. La prochaine fin possible est le { $next_possible_end }, en résiliant au plus tard le { $next_last_day_to_cancel }.
problem-totp-invalid = Ce code ne correspond pas : recommencez la configuration.
problem-totp-required = Ce compte a un second facteur : saisissez son code actuel.
problem-transfer-limit = Cette licence a changé de machine { $limit } fois en { $period_days } jours, la limite de sa politique. Le prochain changement est permis à partir du { $next_move }.
problem-quota-exceeded = Le compteur { $meter } a consommé { $used } de ses { $quota } pour cette période : { $asked } de plus dépasserait le quota. Rien n'a été compté.
problem-usage-report-replayed = Le relevé de consommation { $counter } de cette machine n'a pas été compté : le relevé { $last_counter } a déjà été accepté, et chaque relevé compte une fois, dans l'ordre.
problem-unauthorized = Veuillez vous connecter : { $detail }
problem-unsupported-media-type = Ce type de contenu n'est pas accepté ici.
problem-webhook-refused = L'adresse est refusée : { $detail }
problem-wrong-binding = { $needs ->
        [floating] Seules les licences flottantes prêtent des sièges.
       *[other] Cette licence ne s'active pas machine par machine : { $binding ->
        [floating] prenez un bail
       *[other] elle n'a pas de machine
    }.
    }
problem-subscription-full = Les { $seats } licences de l'abonnement servent toutes des membres : libérez-en une ou augmentez ses sièges.
problem-subscription-seats-assigned = { $assigned } membres détiennent une licence de cet abonnement : il ne peut avoir moins de { $assigned } sièges.
problem-option-in-use = { $members } membres détiennent une option retirée : changez d'abord leurs options.
problem-children-active = { $children ->
        [one] Un nœud sous celui-ci est en service : retirez-le d'abord.
       *[other] { $children } nœuds sous celui-ci sont en service : retirez-les d'abord.
    }

## Editing and retiring a node of the tree.
done-edited = Les modifications sont enregistrées.
done-retired = Le nœud est retiré : il ne prend plus rien de nouveau.
node-edit-title = Modifier { $name }
node-edit-lead = Son type et sa place dans l'arborescence restent : ses licences, sièges et droits en dépendent.
node-name-rule = Tel que l'on connaît l'entreprise ou le site.
node-email-rule = L'adresse où le back-office lui écrit (facultatif).
node-ref-rule = Votre propre référence, par exemple dans votre CRM (facultatif).
field-external-ref = Référence
node-retire-what = { $name } ne prendra plus aucune nouvelle licence, aucun membre, abonnement, achat ni nœud enfant, et ne changera plus. Ce qu'il détient continue jusqu'à son terme ; il reste dans l'arborescence, marqué retiré, avec son historique. Les nœuds situés dessous doivent être retirés d'abord. Le retrait est définitif.
node-retired = Retiré le { $date } : il ne prend plus rien de nouveau ; ce qu'il détient continue jusqu'à son terme.
# Invoices
nav-invoices = Factures
tile-invoices-due = factures à régler
inv-title = Factures
inv-lead = Ce que la tâche de nuit facture à chaque période : une facture par abonnement et par période, et une par partenaire et par mois pour ses postes attribués. licentia n’encaisse rien : une facture est à régler jusqu’à ce qu’elle soit enregistrée payée (ailleurs) ou annulée.
inv-csv = Exporter en CSV
inv-any = Tous
inv-customer = Client
inv-status = État
inv-period-from = Périodes commençant à partir du
inv-period-to = Périodes commençant jusqu’au
inv-count = { $count ->
    [one] Une facture
   *[other] { $count } factures
}
inv-none = Aucune facture ici.
inv-period = Période
inv-kind = Facturé pour
inv-kind-subscription = Abonnement
inv-kind-allocation = Postes attribués
inv-total = Total
inv-net = Hors taxes
inv-tax = TVA
inv-status-due = À régler
inv-status-paid = Payée
inv-status-void = Annulée
inv-invoice-title = Facture du { $period }
inv-back = Retour aux factures
inv-mark-paid = Enregistrer comme payée
inv-mark-void = Annuler la facture
inv-id = Identifiant
inv-written = Émise
inv-open-subscription = Ouvrir l’abonnement
inv-settled = Réglée
inv-note = Note
inv-note-rule = Une référence de paiement, ou la raison de l’annulation ; facultative, 512 caractères au plus.
inv-lines = Lignes
inv-line = Ligne
inv-quantity = Postes
inv-unit = Par poste et par mois
inv-months = Mois
inv-amount = Montant
inv-no-lines = Cette facture n’a aucune ligne.
inv-paid-title = Enregistrer la facture de { $total } comme payée ?
inv-paid-what = La facture est enregistrée comme réglée ailleurs : licentia n’encaisse rien. Elle ne compte plus parmi les factures à régler, et ce choix est définitif.
inv-void-title = Annuler la facture de { $total } ?
inv-void-what = La facture ne compte plus parmi les factures à régler ; elle est conservée, marquée annulée, et ce choix est définitif. La période n’est pas facturée de nouveau.
problem-adjustment-invoiced = Un changement au prorata a été facturé entre-temps : réessayez.
problem-usage-invoiced = Une consommation a été facturée entre-temps : réessayez.
problem-invoice-settled = La facture est déjà { $invoice_status ->
        [paid] payée
        [void] annulée
       *[other] { $invoice_status }
    }.
field-billing-cycle = Cycle de facturation
cycle-monthly = mensuel
cycle-quarterly = trimestriel
cycle-yearly = annuel
cycle-changing = { $now }, puis { $next } à partir du { $date }
problem-bad-cursor = Ce lien vers une page de la liste n'est plus valable : rouvrez la liste depuis sa première page.

## Contrats et suivi de facturation
nav-contracts = Contrats
ctr-title = Contrats
ctr-lead = Les contrats de renouvellement avec les fournisseurs, par date de fin, avec la date limite de résiliation de chacun et les lots d'achat qu'il couvre.
ctr-back = Retour aux contrats
ctr-registers-title = Fournisseurs et types de contrat
ctr-registers-lead = Les fournisseurs avec qui les contrats sont signés, et les sortes de contrat (maintenance, abonnement, support...).
ctr-suppliers = Fournisseurs
ctr-types = Types de contrat
ctr-name = Nom
ctr-name-rule = 1 à 200 caractères, unique dans sa liste.
ctr-recorded = Enregistré
ctr-none = Rien d'enregistré pour l'instant.
ctr-add-supplier = Ajouter un fournisseur
ctr-add-contract-type = Ajouter un type de contrat
ctr-new = Enregistrer un contrat
ctr-new-lead = Un contrat de renouvellement avec un fournisseur, détenu par un nœud en haut de l'arbre des clients. Sa fin est annoncée à ceux qui l'ont demandé.
ctr-record = Enregistrer le contrat
ctr-count = { $count ->
    [one] { $count } contrat
   *[other] { $count } contrats
}
ctr-reference = Référence
ctr-reference-rule = La référence du fournisseur, unique par fournisseur.
ctr-customer-id = Titulaire
ctr-customer-id-rule = Un nœud en haut de l'arbre des clients (en général un partenaire).
ctr-supplier-id = Fournisseur
ctr-supplier-id-rule = L'un des fournisseurs enregistrés.
ctr-contract-type-id = Type de contrat
ctr-contract-type-id-rule = L'un des types de contrat enregistrés.
ctr-starts-on = Début
ctr-starts-on-rule = Une date du calendrier, AAAA-MM-JJ.
ctr-ends-on = Fin
ctr-ends-on-rule = Le dernier jour, après le début, AAAA-MM-JJ.
ctr-notice-period = Préavis
ctr-notice-period-rule = Par exemple « 3 months before term end » ; facultatif.
ctr-cost = Coût
ctr-cost-rule = Un montant décimal tel que 1234.50, au plus les décimales de la devise ; demande sa devise.
ctr-currency = Devise
ctr-currency-rule = Un code ISO 4217 tel que EUR, USD ou JPY.
ctr-po-number = N° de bon de commande
ctr-po-number-rule = Numéro du bon de commande ; facultatif.
ctr-invoice-number = N° de facture
ctr-invoice-number-rule = Numéro de facture ; facultatif.
ctr-last-day-to-cancel = Date limite de résiliation
ctr-one-title = Contrat { $reference }
ctr-lots = Lots couverts
ctr-no-lots = Aucun lot n'est encore lié à ce contrat.
ctr-edit = Modifier les conditions
ctr-save = Enregistrer les conditions
fup-title = Suivi de facturation
fup-lead = Chaque refacturation à un client ouvre ici un élément, jusqu'à ce qu'il soit facturé et clos.
fup-status = État
fup-open = Ouvert
fup-done = Traité
fup-lot = Lot
fup-close = Clore
fup-count = { $count ->
    [one] { $count } élément
   *[other] { $count } éléments
}
fup-opened = Ouvert le
fup-client = Client facturé
fup-buyer = Facturé par
fup-none = Aucun élément ici.
fup-close-title = Clore cet élément de suivi ?
fup-close-consequence = Il passe dans les éléments traités et ne peut pas être rouvert.

## Versions publiées (page d’un produit ; page d’une licence)
rel-count = { $count ->
    [one] { $count } version publiée
   *[other] { $count } versions publiées
}
rel-new = Nouvelle version
rel-add = Ajouter la version
rel-version = Version
rel-version-rule = Des nombres séparés par des points, éventuellement « - » et une étiquette : 3.1, 4.0-beta.1. Chaque version une seule fois.
rel-date = Date de publication
rel-date-rule = La maintenance d’une licence couvre les versions publiées jusqu’à sa fin.
rel-channel = Canal
rel-channel-rule = Par exemple stable ou beta : lettres, chiffres, « - », « _ » et « . ».
rel-notes = Notes
rel-notes-rule = Facultatives, 256 caractères au plus : elles entrent dans le catalogue signé des versions.
rel-download-url = Adresse de téléchargement
rel-download-url-rule = Facultative : d’où le produit télécharge cette version.
rel-download = Télécharger
term-updates-until = Fin de la maintenance
term-releases = Versions qu’elle peut exécuter
