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
