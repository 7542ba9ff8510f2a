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
actions = Actions
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
col-operation = Opération
col-when = Quand
col-done-by = Fait par
col-details = Détails
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
cancel = Annuler
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
