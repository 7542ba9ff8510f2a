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
tile-seats-short = produits presque à court de postes chez un client

field-within-days = Expirant sous
field-group-by = Grouper par
field-type = Afficher
field-columns = Colonnes
group-plan = Offre
group-type = Type
group-customer = Client
type-all = Licences et abonnements
type-license = Licences
type-subscription = Abonnements
show = Afficher
export-csv = Exporter en CSV
nothing-due = Rien n'expire dans cette période.
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

kind-license-standard = Licence
kind-license-trial = Licence d'essai
kind-subscription = Abonnement
status-active = Active
status-suspended = Suspendue
status-cancelled = Résilié
status-revoked = Révoquée

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
col-allocated = Alloués
col-given = Donnés
col-used = Utilisés
col-free = Libres
col-consumed = Consommés
seats-consumed = { $consumed } sur { $allocated } consommés
no-seats = Aucun poste détenu
seats-heading = Postes
children-heading = Enfants
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
history-of = Historique de { $name }
history-heading = Historique
history-empty = Rien n'est encore enregistré.
history-older = Entrées suivantes
history-more = Les entrées suivantes sont dans l'historique de l'API.
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
members-of-plan = Membres de { $customer } avec un service { $plan }
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
no-own-file = Cette licence n'a pas de fichier propre : chaque machine reçoit le sien à son activation.
action-renew = Renouveler
action-suspend = Suspendre
action-reinstate = Rétablir
action-revoke = Révoquer
action-deactivate = Désactiver
machines = Machines
no-machines = Aucune machine n'a été activée.
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
no-leases = Aucun poste n'a été emprunté.
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
field-renew-mode = Ce que reçoit le client
renew-mode-file = Un nouveau fichier de licence
renew-mode-token = Un jeton de renouvellement pour le fichier qu'il détient
field-renew-which = Le fichier que le jeton renouvelle
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
field-valid-days = Jours pendant lesquels la réponse peut servir
offline-answer = Télécharger le fichier de réponse
