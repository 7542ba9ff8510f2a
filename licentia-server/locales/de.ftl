# Die Texte der Konsole auf Deutsch.

nav-label = Bereiche
nav-dashboard = Übersicht
nav-renewals = Zu verlängern
skip-to-content = Zum Inhalt springen
sign-out = Abmelden
footer-note = Lizenzen, Plätze und Verlängerungen
back-to-dashboard = Zurück zur Übersicht

sign-in-title = Anmelden
field-email = E-Mail-Adresse
field-password = Passwort
field-totp = Code aus Ihrer Authenticator-App
sign-in-button = Anmelden
sign-in-expired = Das Anmeldeformular war abgelaufen: bitte erneut versuchen.
sign-in-login-failed = E-Mail-Adresse oder Passwort falsch.
sign-in-totp-required = Geben Sie den sechsstelligen Code aus Ihrer Authenticator-App ein.
sign-in-account-locked = Zu viele Fehlversuche: dieses Konto ist vorübergehend gesperrt.

refusal-400 = Diese Anfrage ist nicht lesbar
refusal-401 = Bitte melden Sie sich an
refusal-403 = Nicht erlaubt
refusal-404 = Nicht gefunden
refusal-409 = Abgelehnt: widerspricht dem aktuellen Stand
refusal-413 = Zu groß
refusal-422 = Abgelehnt
refusal-423 = Gesperrt
refusal-429 = Zu viele Anfragen
refusal-500 = Etwas ist schiefgegangen
refusal-502 = Ein nachgelagerter Server ist ausgefallen
refusal-503 = Vorübergehend nicht verfügbar
refusal-internal = Der Server konnte dies nicht ausführen. Der Fehler wurde protokolliert; bitte später erneut versuchen.
refusal-status = HTTP-Status { $status }

tile-licenses-7 = Lizenzen, die in 7 Tagen enden
tile-licenses-30 = Lizenzen, die in 30 Tagen enden
tile-licenses-90 = Lizenzen, die in 90 Tagen enden
tile-subscriptions-30 = Abonnements, die sich in 30 Tagen verlängern
tile-contracts-90 = Verträge und Lose, die in 90 Tagen enden
tile-seats-short = Produkte mit fast erschöpften Plätzen bei einem Kunden

field-within-days = Endet innerhalb von
field-group-by = Gruppieren nach
field-type = Anzeigen
field-columns = Spalten
group-plan = Tarif
group-type = Art
group-customer = Kunde
group-contract-type = Vertragsart
group-supplier = Lieferant
type-all = Alles
type-license = Lizenzen
type-subscription = Abonnements
type-contract = Verträge und Lose
show = Anzeigen
export-csv = Als CSV exportieren
nothing-due = In diesem Zeitraum endet nichts.
renewals-whole-group = Alle { $count } von { $group }
renewals-groups-showing = Gruppen { $first }–{ $last } von { $count }
renewals-groups-named = Gruppen { $first } bis { $last }
days = { $count ->
    [one] { $count } Tag
   *[other] { $count } Tage
}
days-left = { $count ->
    [0] heute
    [one] noch { $count } Tag
   *[other] noch { $count } Tage
}
items-due = { $count ->
    [0] Nichts zu verlängern
    [one] { $count } zu verlängern
   *[other] { $count } zu verlängern
}

col-ends = Ende
col-id = Datensatz
col-type = Art
col-product = Produkt
col-plans = Tarif
col-customer = Kunde
col-licensee = Lizenznehmer
col-status = Status
col-seats = Plätze
col-days-left = Verbleibende Tage
col-supplier = Lieferant
col-contract-type = Vertragsart
col-starts = Beginn
col-cost = Kosten

kind-license-standard = Lizenz
kind-license-trial = Testlizenz
kind-subscription = Abonnement
kind-contract = Vertrag
kind-lot = Gekauftes Los
status-active = Aktiv
status-suspended = Ausgesetzt
status-cancelled = Gekündigt
status-revoked = Widerrufen

## Katalog, Schlüssel, Käufe, Benachrichtigungen (console/catalogue.rs, keys.rs, purchases.rs, notices.rs, sheet.rs).
nav-catalogue = Katalog
nav-purchases = Käufe
nav-notices = Benachrichtigungen
nav-keys = Schlüssel
sheet-cancel = Abbrechen
sheet-required = Pflichtfeld
sheet-heed = Hinweis:
sheet-refused = Abgelehnt:
sheet-first-rows = Nur die ersten { $count } werden angezeigt.

cat-products = Produkte
cat-policies = Richtlinien
cat-plans = Tarife
cat-new-product = Neues Produkt
cat-new-policy = Neue Richtlinie
cat-new-plan = Neuer Tarif
cat-create = Anlegen
cat-code = Code
cat-name = Name
cat-id = Kennung
cat-created = Angelegt am
cat-product = Produkt
cat-policy = Richtlinie
cat-kind = Art
cat-binding = Bindung
cat-seats = Plätze
cat-duration = Laufzeit
cat-options = Optionen
cat-features = Funktionen
cat-perpetual = unbefristet
cat-none = Noch keine.
cat-no-options = Dieser Tarif hat keine Zusatzoptionen.
cat-meter-prices = Zählerpreise
cat-meter-prices-rule = Ein Zähler je Zeile: ZÄHLER | PREIS JE EINHEIT | ENTHALTENE EINHEITEN, der Preis in der Währung des Tarifs (z. B. api_calls | 0.01 | 10000): je Zeitraum werden die Einheiten einer Lizenz über die enthaltenen hinaus mit der nächsten Rechnung des Abonnements berechnet. Der Zähler muss einer der Richtlinie sein; der Tarif braucht einen Preis.
cat-no-meter-prices = Dieser Tarif berechnet keinen Verbrauch.
cat-unit-price = Preis je Einheit
cat-included = Enthaltene Einheiten je Zeitraum
cat-open-product = Produkt { $product } öffnen
cat-open-policy = Richtlinie { $policy } öffnen
cat-count-products = { $count ->
    [one] { $count } Produkt
   *[other] { $count } Produkte
}
cat-count-policies = { $count ->
    [one] { $count } Richtlinie
   *[other] { $count } Richtlinien
}
cat-count-plans = { $count ->
    [one] { $count } Tarif
   *[other] { $count } Tarife
}
cat-product-lead = Ein Produkt ist das, wofür Lizenzen ausgestellt werden: Sein Code steht in jeder Lizenzdatei.
cat-code-rule = 1 bis 64 Zeichen: nur Buchstaben, Ziffern, „-“, „_“ und „.“. Eindeutig.
cat-name-rule = 1 bis 256 Zeichen, so wie man ihn liest.
cat-product-fixed = Der Code eines Produkts steht in jeder dafür ausgestellten Lizenz: Er ändert sich nie; der Name darf sich ändern.
cat-policies-lead = Eine Richtlinie ist eine Lizenzvorlage: Laufzeit, Bindung, Plätze, Kulanzzeit, Online-Prüfung und Funktionen.
cat-policy-lead = Jede aus dieser Richtlinie ausgestellte Lizenz übernimmt diese Bedingungen.
cat-policy-fixed = Eine Änderung der Richtlinie gilt für die danach ausgestellten Lizenzen: Bereits ausgestellte Lizenzen behalten die Bedingungen, mit denen sie signiert wurden. Produkt und Bindung einer Richtlinie ändern sich nie.
cat-plans-lead = Ein Tarif (Essential, Business, Enterprise …) ist eine Richtlinie mit den Zusatzoptionen, die eine Lizenz erhalten kann.
cat-plan-lead = Ein Tarif nennt eine Richtlinie; seine Optionen fügen den Lizenzen, die sie erhalten, Funktionen hinzu.
cat-plan-fixed = Eine Änderung des Tarifs gilt für die danach ausgestellten Lizenzen: Bereits ausgestellte Lizenzen behalten ihre Berechtigungen. Nichts wird gelöscht: Ein nicht mehr verkaufter Tarif wird stillgelegt.
cat-edit = Bearbeiten
cat-edit-title = { $name } bearbeiten
cat-save = Änderungen speichern
cat-retire = Stilllegen
cat-retired = stillgelegt
cat-retire-title = { $name } stilllegen?
cat-retire-what = { $name } wird für keine neue Lizenz und kein neues Abonnement mehr angeboten. Es bleibt im Katalog, als stillgelegt markiert, und die bereits daraus ausgestellten Lizenzen funktionieren unverändert weiter. Eine Stilllegung ist endgültig.
cat-retired-notice = Stillgelegt am { $date }: für keine neue Lizenz und kein neues Abonnement angeboten; die bereits daraus ausgestellten Lizenzen sind unverändert.
cat-plan-name-rule = 1 bis 128 Zeichen, eindeutig je Produkt.
cat-plan-policy-rule = Die Richtlinie, aus der die Lizenzen des Tarifs entstehen; der Tarif gehört zu ihrem Produkt.
cat-options-rule = Eine Option je Zeile: CODE | Name | FUNKTION, FUNKTION | PREIS (die Funktionen und der Preis je Platz und Monat in der Währung des Tarifs können fehlen). Jeder Code nur einmal.
cat-currency = Währung
cat-currency-rule = ISO-4217-Code der Preise des Tarifs; keine: der Tarif wird nicht berechnet.
cat-unpriced = Ohne Preis
cat-price = Preis je Platz und Monat
cat-price-rule = In der Haupteinheit der Währung, z. B. 15.00 (höchstens so viele Nachkommastellen wie die Währung).
cat-tax-rate = Steuersatz (%)
cat-tax-rate-rule = Ein Prozentsatz von 0 bis 100, z. B. 19 oder 7; gilt für den Tarif und seine Optionen.
cat-tax-shown = USt. { $rate } %
cat-kind-standard = Standard
cat-kind-trial = Testversion
cat-binding-node-locked = An Rechner gebunden
cat-binding-unbound = Ungebunden
cat-binding-floating = Floating
cat-binding-named-user = Namentlicher Benutzer
cat-match-all = alle Komponenten
cat-match-most = die meisten Komponenten
cat-match-two = zwei Komponenten
cat-match-any = eine Komponente
cat-f-product-id = Produkt
cat-f-product-id-rule = Das Produkt ihrer Lizenzen.
cat-f-name = Name
cat-f-name-rule = 1 bis 128 Zeichen, eindeutig je Produkt.
cat-f-kind = Art
cat-f-kind-rule = Standard oder Testversion.
cat-f-binding = Bindung
cat-f-binding-rule = An Rechner gebunden, ungebunden, Floating (Leases bis zur Platzzahl) oder namentlicher Benutzer.
cat-f-match-rule = Abgleichregel
cat-f-match-rule-rule = Wie viele Komponenten eines Rechners übereinstimmen müssen, damit eine gebundene Lizenz gültig bleibt.
cat-f-duration-days = Laufzeit (Tage)
cat-f-duration-days-rule = Lizenzen laufen so viele Tage nach der Ausstellung ab; leer für unbefristet.
cat-f-seats = Plätze
cat-f-seats-rule = Rechner einer gebundenen Lizenz, Obergrenze einer Floating-Lizenz; mindestens 1.
cat-f-grace-days = Kulanz nach Ablauf (Tage)
cat-f-grace-days-rule = Tage, die eine Lizenz nach Ablauf mit Warnung noch gilt; leer für keine.
cat-f-check-in-days = Online-Prüfung alle (Tage)
cat-f-check-in-days-rule = So oft meldet sich das Produkt online; leer für nie.
cat-f-max-offline-days = Offline-Kulanz (Tage)
cat-f-max-offline-days-rule = Tage, die ein Rechner nach einer versäumten Prüfung offline bleiben darf.
cat-f-renew-soon-days = Bald verlängern (Tage vor Ablauf)
cat-f-renew-soon-days-rule = Lizenzen warnen so viele Tage vor Ablauf „bald verlängern“; braucht eine Laufzeit und weniger Tage als diese; leer für keine Warnung.
cat-f-maintenance-days = Wartung (Tage)
cat-f-maintenance-days-rule = Versionen, die bis so viele Tage nach Ausstellung erscheinen, sind abgedeckt; die Verlängerung einer unbefristeten Lizenz verlängert sie; leer für alle Versionen.
cat-f-allow-virtual-machines = Virtuelle Maschinen
cat-f-allow-virtual-machines-rule = Ob die Lizenzen in einer virtuellen Maschine laufen; abgelehnt meldet es das Urteil des Produkts (Regel 111), wo es einen Hypervisor erkennt, den ein entschlossener Host verbergen kann.
cat-f-allow-containers = Container
cat-f-allow-containers-rule = Ob die Lizenzen in einem Container laufen (Docker, Podman, Kubernetes, LXC); abgelehnt meldet es das Urteil des Produkts (Regel 112), wo es einen erkennt.
cat-allow-true = erlaubt
cat-allow-false = abgelehnt
cat-f-entitlements = Funktionen
cat-f-entitlements-rule = Eine je Zeile: CODE, CODE=ANZAHL oder CODE@JJJJ-MM-TT (eigenes Ende).
cat-f-meters = Zähler
cat-f-meters-rule = Einer je Zeile: NAME=KONTINGENT/ZEITRAUM, der Zeitraum day, month, year oder term (z. B. api_calls=10000/month).
cat-f-temp-quota = Vorübergehende Lizenzen je Zeitraum
cat-f-temp-quota-rule = Vorübergehende Lizenzen, die eine Lizenz je Zeitraum für einen ausgefallenen Rechner erhalten kann; mindestens 1.
cat-f-temp-period-days = Zeitraum für vorübergehende Lizenzen (Tage)
cat-f-temp-period-days-rule = Der Zeitraum, über den das Kontingent zählt; mindestens 1.
cat-f-temp-duration-days = Dauer einer vorübergehenden Lizenz (Tage)
cat-f-temp-duration-days-rule = Wie lange eine vorübergehende Lizenz läuft; mindestens 1.
cat-f-lease-ttl-secs = Lease-Dauer (Sekunden)
cat-f-lease-ttl-secs-rule = Ein Floating-Lease gilt so lange, wenn es nicht erneuert wird; mindestens 1.
cat-f-max-transfers = Rechnerwechsel je Zeitraum
cat-f-max-transfers-rule = Rechner, die das Produkt je Zeitraum freigeben darf; leer für unbegrenzt (Mitarbeiter sind nicht begrenzt).
cat-f-transfer-period-days = Wechselzeitraum (Tage)
cat-f-transfer-period-days-rule = Der Zeitraum, über den die Wechsel zählen; mindestens 1.

keys-title = Signaturschlüssel
keys-lead = Der aktive Schlüssel signiert jede Lizenz, Verlängerung und Sperrliste; vertrauenswürdige Schlüssel bestätigen weiterhin, was sie signiert haben; zurückgezogene Schlüssel stehen in jeder Sperrliste.
keys-done = Erledigt: Schlüssel { $key }.
keys-rotate = Signaturschlüssel wechseln
keys-download-active = Aktiven öffentlichen Schlüssel herunterladen (PEM)
keys-count = { $count ->
    [one] { $count } Schlüssel
   *[other] { $count } Schlüssel
}
keys-id = Schlüsselkennung
keys-state = Zustand
keys-public = Öffentlicher Schlüssel
keys-rollover = Übergabeerklärung
keys-action = Aktion
keys-pem = PEM
keys-statement = Herunterladen
keys-first = keine (erster Schlüssel)
keys-signs-now = signiert jetzt
keys-retire = Zurückziehen …
keys-retired-final = endgültig zurückgezogen
keys-state-active = Aktiv
keys-state-trusted = Vertrauenswürdig
keys-state-retired = Zurückgezogen
keys-rotate-button = Jetzt wechseln
keys-rotate-what = Ein neuer Schlüssel wird der aktive Schlüssel und signiert ab sofort alles. Der bisherige Schlüssel { $key } bleibt vertrauenswürdig: Von ihm signierte Lizenzen bleiben gültig.
keys-rotate-field = Produkte im Einsatz erfahren den neuen Schlüssel aus seiner Übergabeerklärung, die der bisherige Schlüssel signiert, sobald sie die Schlüssel abrufen; ein Produkt, das sie nie abruft, muss den neuen öffentlichen Schlüssel erhalten, bevor es einer damit signierten Lizenz begegnet.
keys-rotate-old = Bereits Ausgestelltes ändert sich nicht. Um dem alten Schlüssel später nicht mehr zu vertrauen, ziehen Sie ihn zurück.
keys-retire-title = Schlüssel { $key } zurückziehen
keys-retire-button = Diesen Schlüssel zurückziehen
keys-retire-what = Von ihm signierte Lizenzen sind nicht mehr gültig, sobald die Produkte die Sperrliste abrufen: Jede Sperrliste nennt ab jetzt diesen Schlüssel.
keys-retire-final-note = Das Zurückziehen ist endgültig: Dem Schlüssel wird nie wieder vertraut. Stellen Sie die von ihm signierten Lizenzen zuerst mit dem aktiven Schlüssel neu aus.

pur-title = Käufe
pur-lead = Lose, die die Spitze des Kundenbaums gekauft hat, und die Kunden, an die sie weiterberechnet wurden. Eine Weiterberechnung verschiebt keine Plätze: Plätze wandern durch Zuteilung.
pur-new = Kauf erfassen
pur-new-lead = Ein Los erhöht die Plätze des Käufers für das Produkt um seine Menge.
pur-record = Kauf erfassen
pur-any = Alle
pur-count = { $count ->
    [one] { $count } Kauf
   *[other] { $count } Käufe
}
pur-none = Hier gibt es keinen Kauf.
pur-customer = Kunde
pur-product = Produkt
pur-customer-id = Käufer
pur-customer-id-rule = Ein Knoten an der Spitze des Kundenbaums (meist ein Partner).
pur-product-id = Produkt
pur-product-id-rule = Das gekaufte Produkt.
pur-quantity = Menge
pur-quantity-rule = Gekaufte Plätze: eine ganze Zahl von 1 bis 1000000000.
pur-serial = Seriennummer
pur-serial-rule = Serien- oder Registrierungsnummer, eindeutig je Produkt; optional.
pur-version = Version
pur-version-rule = Die gekaufte Version; optional.
pur-purchased-on = Gekauft am
pur-purchased-on-rule = Ein Kalenderdatum, JJJJ-MM-TT.
pur-renews-on = Verlängert am
pur-renews-on-rule = Nach dem Kaufdatum, JJJJ-MM-TT; optional.
pur-cost = Kosten
pur-cost-rule = Ein Dezimalbetrag wie 1234.50, höchstens mit den Nachkommastellen der Währung; braucht seine Währung.
pur-currency = Währung
pur-currency-rule = Ein ISO-4217-Code wie EUR, USD oder JPY.
pur-po-number = Bestellnummer
pur-po-number-rule = Nummer der Bestellung; optional.
pur-invoice-number = Rechnungsnummer
pur-invoice-number-rule = Rechnungsnummer; optional.
pur-notes = Notizen
pur-notes-rule = Freitext; optional.
pur-contract-id = Vertrag
pur-contract-id-rule = Der Verlängerungsvertrag, der das Los abdeckt, einer des Käufers; optional.
pur-no-contract = Keiner
pur-rebilled = Weiterberechnet
pur-not-rebilled = Noch nicht weiterberechnet
pur-lot-title = Los von { $product }
pur-back = Zurück zu den Käufen
pur-rebillings = Weiterberechnungen
pur-no-rebillings = Noch nichts weiterberechnet.
pur-when = Wann
pur-rebill = Einen Teil dieses Loses weiterberechnen
pur-rebill-lead = { $count ->
    [0] Alle Plätze dieses Loses sind bereits weiterberechnet.
    [one] { $count } Platz dieses Loses kann noch weiterberechnet werden.
   *[other] { $count } Plätze dieses Loses können noch weiterberechnet werden.
}
pur-rebill-customer = Berechneter Kunde
pur-rebill-customer-rule = Ein Kunde in Ihrem Teil des Baums.
pur-rebill-quantity = Weiterberechnete Plätze
pur-rebill-quantity-rule = Nie mehr, als das Los noch nicht weiterberechnet hat.

ntc-title = Benachrichtigungen
ntc-lead = Wer Benachrichtigungen erhält (Webhooks und E-Mail-Adressen), und die von den Aufträgen geschriebenen Benachrichtigungen, die neuesten zuerst.
ntc-new = Neues Benachrichtigungsabonnement
ntc-new-lead = Wählen Sie die Benachrichtigungen und genau ein Ziel: eine E-Mail-Adresse oder (nur Administratoren) einen Webhook.
ntc-subscribe = Abonnieren
ntc-made = Abonnement angelegt
ntc-secret = Signaturgeheimnis
ntc-secret-once = Kopieren Sie dieses Geheimnis jetzt: Es wird nur einmal angezeigt. Der Empfänger des Webhooks prüft damit die Signatur jeder Benachrichtigung.
ntc-back = Zurück zu den Benachrichtigungen
ntc-count-subscriptions = { $count ->
    [one] { $count } Abonnement
   *[other] { $count } Abonnements
}
ntc-notifications = Geschriebene Benachrichtigungen
ntc-count-notifications = { $count ->
    [one] { $count } Benachrichtigung
   *[other] { $count } Benachrichtigungen
}
ntc-no-subscriptions = Noch niemand hat Benachrichtigungen abonniert.
ntc-no-notifications = Noch keine Benachrichtigung geschrieben.
ntc-target = Gesendet an
ntc-to-webhook = Webhook { $url }
ntc-to-email = E-Mail { $email }
ntc-kinds = Benachrichtigungen
ntc-kinds-rule = Mindestens eine.
ntc-email = E-Mail-Adresse
ntc-email-rule = Etwa ops@example.com; entweder diese oder ein Webhook.
ntc-webhook = Webhook-URL
ntc-webhook-rule = https:// (oder http://), keine interne Adresse; nur Administratoren; entweder diese oder eine E-Mail-Adresse.
ntc-role = Rolle
ntc-role-rule = An die Konten mit dieser Rolle senden; eine andere Rolle als Administrator abonniert nur für sich selbst.
ntc-no-role = keine
ntc-delete = Löschen …
ntc-delete-title = Dieses Benachrichtigungsabonnement löschen
ntc-delete-what = Es erhält keine Benachrichtigungen mehr, und seine ausstehenden Zustellungen werden storniert. Bereits erfolgte Zustellungen bleiben im Protokoll.
ntc-delete-button = Abonnement löschen
ntc-written = Geschrieben am
ntc-kind = Art
ntc-subject = Betrifft
ntc-due-on = Angekündigtes Datum
ntc-lead-days = Tage vorher
ntc-run-date = Lauf vom
ntc-notification-title = Benachrichtigung: { $kind }
ntc-deliveries = Zustellungen
ntc-no-deliveries = Kein Abonnement erhält diese Benachrichtigung.
ntc-status = Status
ntc-retry = Stand der Zustellung
ntc-attempts = Versuche
ntc-last-error = Letzter Fehler
ntc-attempts-title = Alle Versuche
ntc-no-attempts = Noch kein Versuch.
ntc-attempt = Versuch
ntc-at = Am
ntc-code = Antwortcode
ntc-error = Fehler
ntc-next = Nächster Versuch
ntc-ok = erfolgreich
ntc-delivered = zugestellt am { $when }
ntc-pending-first = erster Versuch steht an
ntc-retry-at = neuer Versuch am { $when }
ntc-failed = Versuche aufgebraucht: aufgegeben
ntc-cancelled = Abonnement gelöscht
ntc-status-pending = Ausstehend
ntc-status-delivered = Zugestellt
ntc-status-failed = Fehlgeschlagen
ntc-status-cancelled = Storniert
ntc-kind-license-expiring = Lizenz läuft ab
ntc-kind-subscription-expiring = Abonnement läuft ab
ntc-kind-subscription-renewing = Abonnement wird verlängert
ntc-kind-subscription-renewed = Abonnement verlängert
ntc-kind-invoice-due = Rechnung fällig
ntc-kind-cancellation-deadline = Kündigungsfrist
ntc-kind-contract-ending = Vertragsende

## Personen: Konten, Rechte, Einstellungen, Passwörter
nav-accounts = Konten
nav-settings = Meine Einstellungen
cancel = Abbrechen
yes = ja
no = nein
save = Speichern
node-vendor = der Hersteller (alles)
node-partner = Partner
node-customer = Kunde
node-site = Standort
role-admin = Administrator
role-issuer = Aussteller
role-finance = Finanzen
role-auditor = Prüfer
role-member-manager = Mitgliederverwaltung
language-en = English
language-fr = Français
language-de = Deutsch
right-raise = darf Plätze erhöhen
right-lower = darf Plätze verringern
right-monthly-only = nur monatliche Abonnements
right-renewal = darf die Verlängerungsoption ändern
accounts-caption = Die Personen, die sich anmelden, im Bereich Ihrer Administratorrechte
col-name = Name
col-language = Sprache
col-time-zone = Zeitzone
col-second-factor = Zweiter Faktor
col-created = Angelegt
col-rights = Delegierte Rechte
col-granted-since = Seit
col-actions = Aktionen
account-disabled = deaktiviert
new-account = Neues Konto
field-role = Rolle
field-node = Wo
field-first-password = Erstes Passwort (optional)
first-password-help = Mindestens 12 Zeichen. Leer lassen und stattdessen eine Einladung senden: die Person wählt dann ihr eigenes.
create-account = Konto anlegen
grants = Rechte
add-grant = Eine Rolle vergeben
account-actions = Konto
send-invitation = Einladung zum Festlegen eines Passworts senden
invitation-sent = Eine Einladung wurde an { $email } gesendet.
disable-title = { $name } deaktivieren?
disable-consequence = { $email } kann sich nicht mehr anmelden: offene Sitzungen enden sofort und API-Tokens werden widerrufen. Der Verlauf bleibt erhalten.
disable-button = Konto deaktivieren
revoke-grant-title = Dieses Recht widerrufen?
revoke-grant-consequence = Das Konto verliert diese Rolle an dieser Stelle sofort; seine anderen Rechte bleiben.
revoke-grant-button = Widerrufen
settings-profile = Sprache und Zeitzone
time-zone-help = Datumsangaben erscheinen in dieser Zeitzone. Jeder IANA-Name, z. B. Europe/Berlin.
settings-password = Passwort
field-current-password = Aktuelles Passwort
field-new-password = Neues Passwort
field-password-again = Neues Passwort wiederholen
password-rule = Mindestens 12 Zeichen.
change-password = Passwort ändern
passwords-differ = Die beiden neuen Passwörter unterscheiden sich.
password-changed = Ihr Passwort wurde geändert.
settings-totp = Zweiter Faktor
totp-on = Die Anmeldung verlangt einen Code aus Ihrer Authenticator-App.
totp-off = Die Anmeldung verlangt nur Ihr Passwort. Schützen Sie dieses Konto mit einem Code aus einer Authenticator-App.
totp-start = Authenticator-App einrichten
totp-scan = Geben Sie dieses Geheimnis in Ihre Authenticator-App ein (oder die Adresse darunter) und tippen Sie den angezeigten Code. Das Geheimnis wird nur jetzt gezeigt.
totp-confirm = Code bestätigen
forgot-password = Passwort vergessen?
reset-title = Passwort zurücksetzen
reset-button = Link zusenden
reset-mailed = Wenn diese Adresse ein Konto hat, ist ein Link zum Festlegen eines neuen Passworts unterwegs. Er gilt einmal und nur kurz.
set-password-title = Wählen Sie Ihr Passwort
field-link-token = Code aus dem Link
link-token-help = Wird aus dem zugesandten Link übernommen; sonst fügen Sie ein, was nach „#token=“ folgt.
set-password-button = Passwort festlegen
password-set = Ihr Passwort ist festgelegt: Sie können sich anmelden.
# Kunden, Mitglieder und Abonnements (Ticket 13: die Wazo- und Rainbow-Ansichten).
nav-customers = Kunden
nav-subscriptions = Abonnements
no-customers = Kein Kunde liegt in Ihrem Bereich.
tree-caption = Plätze je Produkt an jedem Knoten: gehalten, an Unterknoten vergeben, von Mitgliedern und Geräten belegt, frei.
col-node = Knoten
tree-search = Knoten nach Namen suchen
tree-up = Eine Ebene höher
tree-children-of = Unter
tree-expand = Unterknoten
col-allocated = Zugeteilt
col-given = Vergeben
col-used = Belegt
col-free = Frei
col-consumed = Verbraucht
seats-consumed = { $consumed } von { $allocated } verbraucht
no-seats = Keine Plätze
seats-heading = Plätze
children-heading = Unterknoten
all-children = Alle Unterknoten, seitenweise
no-children = Dieser Knoten hat keine Unterknoten.
history-link = Verlauf der Berechtigungen
allocate-heading = Plätze an einen Unterknoten geben
allocate-top-heading = Plätze an einen obersten Knoten geben
allocate-rule = Die Plätze eines Knotens kommen von seinem übergeordneten Knoten. Nur die Buchhaltung erhöht eine Zuteilung; Admin, Aussteller und Buchhaltung dürfen sie senken.
field-child = Unterknoten
field-seats = Plätze
allocate-button = Zuteilung festlegen
add-child-heading = Knoten hinzufügen
field-kind = Art
field-name = Name
field-node-name = Name des neuen Knotens
field-email-optional = E-Mail-Adresse (optional)
add-child-button = Hinzufügen
members-heading = Mitglieder
no-members = Keine Mitglieder.
members-count = { $count ->
    [one] { $count } Mitglied
   *[other] { $count } Mitglieder
}
col-service = Dienst
col-options = Optionen
col-license = Lizenz
col-since = Mitglied seit
no-service = kein Dienst
default-plan-mark = Standardtarif
add-member-heading = Mitglied hinzufügen
field-service-from = Einen Dienst aus dem Standardtarif vergeben ({ $plan })
no-default-plan = Dieser Knoten hat keinen Standardtarif: das Mitglied erhält keinen Dienst.
add-member-button = Mitglied hinzufügen
actions = Aktionen
unassign-service = Dienst entziehen
delete-member = Mitglied löschen
confirm-unassign = Dienst entziehen?
confirm-unassign-what = Der Dienst von { $name } wird entzogen: die Lizenz wird widerrufen, die Geräte funktionieren nicht mehr und der Platz wird frei.
confirm-delete-member = Mitglied löschen?
confirm-delete-member-what = { $name } wird gelöscht.
confirm-delete-member-service = { $name } wird gelöscht: zuerst wird der Dienst entzogen, die Lizenz widerrufen und der Platz frei.
confirm-lower-allocation = Zuteilung senken?
confirm-lower-allocation-what = { $child } hält dann { $to } statt { $from } Plätze von { $product }; { $back } gehen an diesen Knoten zurück.
lower-seats = Plätze senken
confirm-lower-seats = Plätze senken?
confirm-lower-seats-what = Das Abonnement hat dann { $to } statt { $from } Plätze, seine Lizenzen ebenso.
done-allocation = Die Zuteilung ist gespeichert.
done-child = Der Knoten ist hinzugefügt.
done-member = Das Mitglied ist hinzugefügt.
done-deleted = Das Mitglied ist gelöscht.
done-unassigned = Der Dienst ist entzogen.
done-seats = Die Plätze sind geändert.
done-renewal = Die Verlängerungsoption ist geändert.
done-star = Dieses Abonnement ist jetzt die Standardlizenz: Neue Mitglieder erhalten eine seiner Lizenzen.
# Mitglieder in großer Zahl: Import (zuerst geprüft, nichts geschrieben) und Export.
import-members = Mitglieder importieren (CSV)
export-members = Mitglieder exportieren (CSV)
import-title = Mitglieder importieren
import-what = Ein Mitglied pro Zeile, nach einer ersten Zeile mit den Spaltennamen. customer nennt diesen Knoten oder einen Knoten darunter, über seine ID oder externe Referenz; name und email sind Pflicht; plan_id gibt jedem Mitglied einen Dienst dieses Tarifs, Optionen durch „;“ getrennt. Jede Zeile wird zuerst geprüft, und nichts wird geschrieben, bevor alle gültig sind und Sie bestätigen.
import-columns = Spalten:
field-csv-file = CSV-Datei
field-csv-text = Oder die CSV hier einfügen (verwendet, wenn keine Datei gewählt ist)
import-progress = Fortschritt des Hochladens
import-check = Zeilen prüfen
import-report = Zu korrigierende Zeilen
import-refused = { $count ->
    [one] 1 Zeile ist abgelehnt: nichts wurde geschrieben. Korrigieren Sie sie und prüfen Sie erneut.
   *[other] { $count } Zeilen sind abgelehnt: nichts wurde geschrieben. Korrigieren Sie sie und prüfen Sie erneut.
}
col-line = Zeile
col-column = Spalte
col-problem = Fehler
import-no-csv = Wählen Sie eine CSV-Datei oder fügen Sie ihren Text ein.
import-no-rows = Die Datei nennt kein Mitglied: nach der Zeile mit den Spaltennamen ein Mitglied pro Zeile.
confirm-import = Mitglieder anlegen?
confirm-import-what = { $count ->
    [one] Alle Zeilen sind gültig: 1 Mitglied wird in { $node } angelegt.
   *[other] Alle Zeilen sind gültig: { $count } Mitglieder werden in { $node } angelegt.
}
import-button = { $count ->
    [one] 1 Mitglied anlegen
   *[other] { $count } Mitglieder anlegen
}
import-done = { $count ->
    [one] 1 Mitglied ist in { $node } angelegt.
   *[other] { $count } Mitglieder sind in { $node } angelegt.
}
import-see-members = Zu den Mitgliedern
history-of = Verlauf von { $name }
history-heading = Verlauf
history-empty = Noch nichts verzeichnet.
history-older = Spätere Einträge
col-operation = Vorgang
col-when = Wann
col-done-by = Durch
col-details = Einzelheiten
no-subscriptions = Kein Abonnement liegt in Ihrem Bereich.
col-plan = Tarif
col-term = Laufzeit
col-term-end = Laufzeitende
col-renewal = Verlängerung
col-expires = Läuft ab am
col-final-end = Letzter Tag
col-next-invoice = Nächste Rechnung
col-last-day-to-cancel = Letzter Kündigungstag
term-monthly = Monatlich
term-prepaid-1y = 1 Jahr im Voraus bezahlt
term-prepaid-3y = 3 Jahre im Voraus bezahlt
term-prepaid-5y = 5 Jahre im Voraus bezahlt
renewal-none = Keine Verlängerung
renewal-once = Einmal verlängert
renewal-always = Jede Laufzeit verlängert
renewal-switch_to_monthly = Monatlich verlängert
renews-on = nächste Laufzeit ab { $date }
status-ended = Beendet
subscription-members = Versorgte Mitglieder: { $assigned } von { $seats } Lizenzen, { $free } frei
star-subscription-mark = Standardlizenz des Unternehmens
make-star-button = Zur Standardlizenz machen
change-heading = Ändern
change-seats-button = Plätze ändern
change-renewal-button = Verlängerung ändern
# Licences (console/licenses.rs)
nav-licenses = Lizenzen
issue-license = Lizenz ausstellen
search = Suchen
any = Alle
none = Keine
never = Nie
field-key = Schlüssel oder Lizenz-ID
no-license-found = Keine Lizenz entspricht dieser Suche.
licenses-found = { $count ->
    [0] Keine Lizenz
    [one] { $count } Lizenz
   *[other] { $count } Lizenzen
}
pages = Seiten
previous-page = Vorherige Seite
next-page = Nächste Seite
paging-showing = Angezeigt: { $first }–{ $last }
paging-none = Nichts auf dieser Seite
back-to-licenses = Zurück zu den Lizenzen
back-to-license = Zurück zur Lizenz
license-of = Lizenz von { $licensee }
terms = Bedingungen
term-policy = Richtlinie
term-features = Funktionen
term-valid-from = Gültig ab
term-expires = Läuft ab
term-grace = Kulanzzeit nach Ablauf
term-key = Schlüssel
download-file = Lizenzdatei herunterladen (.lic)
download-line = Einzeilig herunterladen
license-qr = Die Lizenz einzeilig als QR-Code: scannen Sie ihn, um die Lizenz auf eine Maschine ohne Netzwerk zu bringen.
license-qr-alt = QR-Code der einzeiligen Lizenz
no-own-file = Diese Lizenz hat keine eigene Datei: Jede Maschine erhält ihre Datei bei der Aktivierung.
action-renew = Verlängern
action-suspend = Sperren
action-reinstate = Wieder freigeben
action-revoke = Widerrufen
action-deactivate = Deaktivieren
machines = Maschinen
no-machines = Es wurde noch keine Maschine aktiviert.
machines-all = Alle Maschinen
machines-of = Maschinen von { $licensee }
col-machine = Maschine
col-platform = Plattform
col-mode = Aktivierung
col-activated = Aktiviert am
col-last-seen = Zuletzt gesehen
col-from = Von
col-until = Bis
mode-online = Online
mode-offline = Offline
machine-active = Aktiv
machine-deactivated = Deaktiviert am { $date }
machine-named = Maschine { $fingerprint }
leases = Floating-Ausleihen
leases-all = Alle Floating-Ausleihen
leases-of = Floating-Ausleihen von { $licensee }
no-leases = Es wurde noch kein Platz ausgeliehen.
meters = Zähler (laufender Zeitraum)
col-meter = Zähler
col-used-quota = Verbraucht / Kontingent
col-period = Zeitraum
meter-period-day = jeden Tag (UTC)
meter-period-month = jeden Monat (UTC)
meter-period-year = jedes Jahr (UTC)
meter-period-term = die Laufzeit der Lizenz
lease-held = Ausgeliehen
lease-expired = Abgelaufen
lease-returned = Zurückgegeben am { $date }
history = Verlauf
field-reason = Grund (wird im Verlauf gespeichert)
confirm-suspend-title = Diese Lizenz sperren?
confirm-suspend-what = Die Lizenz wird beim nächsten Check-in jeder Maschine nicht mehr bestätigt, bis sie wieder freigegeben wird. Ihre Maschinen behalten ihre Plätze.
confirm-reinstate-title = Diese Lizenz wieder freigeben?
confirm-reinstate-what = Die Lizenz wird ab dem nächsten Check-in jeder Maschine wieder bestätigt.
confirm-revoke-title = Diese Lizenz widerrufen?
confirm-revoke-what = Die Lizenz wird beim nächsten Check-in nicht mehr bestätigt; der Widerruf ist endgültig: Sie kann nicht wieder freigegeben werden und kommt auf die Widerrufsliste.
confirm-deactivate-title = Diese Maschine deaktivieren?
confirm-deactivate-what = Die Maschine gibt ihren Platz zurück: Ihre Datei wird beim Check-in nicht mehr erneuert, und an ihrer Stelle kann eine andere Maschine aktiviert werden.
field-new-expiry = Neues Ablaufdatum
field-soft-expiry = Datum „bald verlängern“ (optional)
field-updates-until = Ende der Wartung (optional: bis dahin erschienene Versionen sind abgedeckt)
field-renew-mode = Was der Kunde erhält
renew-mode-file = Eine neue Lizenzdatei
renew-mode-token = Ein Verlängerungstoken für die Datei, die er hat
field-renew-which = Die Datei, die das Token verlängert
action-renew-machine = Ihre Datei verlängern
renew-other-machine = Ein anderer Rechner: wählen Sie ihn unter
renew-other-machine-link = den Rechnern der Lizenz
own-file = Die eigene Datei der Lizenz
renewal-token = Verlängerungstoken
renewal-token-made = Die Lizenz ist verlängert. Geben Sie dem Kunden dieses Verlängerungstoken:
field-issue-from = Ausstellen aus
choose = Auswählen
plans = Tarife
policies = Richtlinien
field-options = Optionen
no-customer = Kein Kunde (nur Administratoren des Herstellers)
field-seats-over = Plätze (leer: die der Richtlinie)
field-expires-over = Ablaufdatum (leer: die Laufzeit der Richtlinie)
license-issued = Lizenz ausgestellt
license-issued-for = Die Lizenz von { $licensee } ist ausgestellt.
license-key = Lizenzschlüssel
key-shown-once = Kopieren Sie diesen Schlüssel jetzt: Er wird nur einmal angezeigt. Das Backoffice speichert nur einen Hash davon.
open-license = Lizenz öffnen
temporary-title = Temporäre Lizenz bei einem Ausfall
temporary-quota = { $count ->
    [0] Diese Richtlinie erlaubt keine temporäre Lizenz.
    [one] Diese Richtlinie erlaubt { $count } temporäre Lizenz je Lizenz
   *[other] Diese Richtlinie erlaubt { $count } temporäre Lizenzen je Lizenz
}
temporary-period = { $count ->
    [one] innerhalb von { $count } Tag.
   *[other] innerhalb von { $count } Tagen.
}
temporary-duration = { $count ->
    [one] Jede gilt { $count } Tag, nie über die Lizenz hinaus, und belegt keinen Platz.
   *[other] Jede gilt { $count } Tage, nie über die Lizenz hinaus, und belegt keinen Platz.
}
field-replacement = Fingerabdruck der Ersatzmaschine
temporary-issue = Temporäre Lizenz ausstellen
temporary-made = Temporäre Lizenz ausgestellt, gültig bis { $date }.
temporary-file = Temporäre Lizenzdatei (als .lic-Datei neben dem Produkt speichern)
offline-title = Offline-Aktivierung
offline-what = Eine Maschine ohne Netzzugang schreibt eine Aktivierungsanfrage-Datei. Laden Sie sie hier hoch und bringen Sie die signierte Antwortdatei zurück zur Maschine.
field-request-file = Aktivierungsanfrage-Datei
field-request-code = …oder ihr Code, am Telefon vorgelesen (Gruppen zu fünf Zeichen)
field-valid-days = Tage, in denen die Antwort verwendet werden kann
offline-answer = Antwortdatei herunterladen
offline-answer-qr = Antwort als QR-Code zeigen
offline-qr-shown = Die Antwort ist signiert: Scannen Sie diesen QR-Code mit einem Telefon und bringen Sie ihn zur Maschine, oder kopieren Sie die einzeilige Form.
offline-qr-alt = QR-Code der einzeiligen Aktivierungsantwort
offline-answer-line = Die Antwort in einer Zeile
telephone-title = Aktivierung per Telefon
telephone-what = Die Maschine zeigt einen Anfragecode aus sechs Gruppen zu fünf Zeichen. Tippen Sie ihn so, wie der Anrufer ihn vorliest; jede Gruppe hat eine Prüfziffer, eine falsch getippte Gruppe wird also genannt. Lesen Sie dann den Antwortcode vor: die Maschine nimmt ihn bis zum angezeigten Tag an.
field-telephone-code = Telefonischer Anfragecode
telephone-answer = Code beantworten
telephone-answered = Lesen Sie dem Anrufer diesen Antwortcode vor. Die Maschine nimmt ihn bis zum { $date } an.
telephone-qr-alt = QR-Code des Antwortcodes

## Berichte
nav-reports = Berichte
report-numbers = Die Zahlen
chart-empty = Noch nichts anzuzeigen.
report-time-to-activation = Zeit von der Ausstellung bis zur ersten Aktivierung (Median, je Produkt)
median-days = Median { $days } Tage
col-activated-count = Aktiviert
col-licences = Lizenzen
col-median-days = Median (Tage)
col-p90-days = 90. Perzentil (Tage)
never-activated-note = Nie aktivierte Lizenzen sind in der Tabelle gezählt und aus Median und 90. Perzentil herausgenommen.
report-platforms = Aktive Rechner je Plattform
machines-active = { $count ->
    [one] { $count } Rechner
   *[other] { $count } Rechner
}
col-active = Aktiv
col-total = Je aktiviert
report-licence-models = Lizenzen je Modell
binding-unbound = ungebunden
binding-node-locked = rechnergebunden
binding-floating = Floating
binding-named-user = benannter Benutzer
col-model = Modell
col-seats-used = Belegte Plätze
report-issued = Ausgestellte Lizenzen je Monat
col-month = Monat
tile-cancel-this-month = Abonnements, deren letzter Kündigungstag in diesen Monat fällt
subs-cancellable-lead = Nur die Abonnements, deren letzter Kündigungstag zwischen heute und dem Monatsende liegt.
subs-all = Alle Abonnements
tile-failed-deliveries = endgültig gescheiterte Benachrichtigungen
tile-activations-today = Aktivierungen heute (UTC)

## Ablehnungen: die Probleme der API, nach Art wiedergegeben, mit ihren Zahlen.
problem-account-locked = Zu viele fehlgeschlagene Anmeldungen: Dieses Konto ist eine Weile gesperrt.
problem-allocation-exceeds-parent = Der übergeordnete Knoten hält { $allocated } Plätze: { $given } an seine Unterknoten vergeben, { $used } belegt, { $free } frei.
problem-allocation-exhausted = Dieser Kunde hält { $allocated } Plätze dieses Produkts: { $used } belegt, { $given } an Unterknoten vergeben. Keiner ist frei.
problem-allocation-in-use = Dieser Knoten hat { $given } Plätze an seine Unterknoten vergeben und belegt { $used }: Er kann nicht weniger halten.
problem-allocation-purchased = Dieser Knoten hat { $purchased } Plätze dieses Produkts gekauft: Er kann nicht weniger halten.
problem-bad-request = Diese Anfrage ist nicht lesbar: { $detail }
problem-buyer-not-root = Ein Los kauft die Spitze des Kundenbaums, die es nach unten verteilt und weiterberechnen kann; dieser Kunde hat einen übergeordneten Knoten.
problem-holder-not-root = Ein Vertrag gehört der Spitze des Kundenbaums, wie die Lose, die er abdeckt; dieser Kunde hat einen übergeordneten Knoten.
problem-conflict = Abgelehnt: { $detail }
problem-csrf-token-missing = Das Formular ist abgelaufen. Öffnen Sie die Seite erneut und wiederholen Sie.
problem-current-password-wrong = Das aktuelle Passwort ist nicht dieses.
problem-customer-required = Eine Lizenz ohne Kunden ist Sache eines Administrators: Wählen Sie ihren Kunden.
problem-database-busy = Die Datenbank ist ausgelastet. Bitte gleich noch einmal versuchen.
problem-database-unavailable = Die Datenbank ist nicht erreichbar. Bitte gleich noch einmal versuchen.
problem-does-not-renew = Das Abonnement endet mit seiner laufenden Laufzeit: Es verlängert sich nicht.
problem-ends-by-itself = Das Abonnement endet von selbst am { $final_end }, vor jedem Ende, das eine Kündigung noch erreichen könnte.
problem-file-not-trusted = Die Datei lässt sich mit den vertrauenswürdigen Schlüsseln nicht prüfen.
problem-forbidden = Nicht erlaubt: { $detail }
problem-internal = Der Server konnte dies nicht ausführen. Es wurde protokolliert; bitte später erneut versuchen.
problem-invalid = Abgelehnt: { $detail }
problem-invalid-rows = Einige Zeilen sind fehlerhaft; nichts wurde geändert.
problem-key-active = Der aktive Schlüssel kann nicht stillgelegt werden: zuerst rotieren.
problem-key-retired = Dieser Schlüssel ist bereits stillgelegt.
problem-key-rotated = Eine andere Rotation kam zuerst: erneut versuchen.
problem-keys-changing = Die Signaturschlüssel haben sich während der Anfrage geändert: erneut versuchen.
problem-lease-ended = Die Leihe ist abgelaufen oder wurde zurückgegeben: Leihen Sie erneut einen Platz aus.
problem-license-changed = Die Lizenz hat sich währenddessen geändert; nichts wurde geändert. Lesen Sie sie erneut und wiederholen Sie.
problem-license-expired = Die Lizenz ist abgelaufen.
problem-license-inactive = Die Lizenz ist nicht aktiv.
problem-license-revoked = Die Lizenz ist widerrufen.
problem-license-status = Die Lizenz ist { $license_status ->
        [suspended] gesperrt
        [revoked] widerrufen
        [active] aktiv
       *[other] { $license_status }
    }: Diese Änderung ist nicht möglich.
problem-license-suspended = Die Lizenz ist gesperrt.
problem-link-invalid = Dieser Link ist unbekannt, benutzt oder abgelaufen: Fordern Sie einen neuen an.
problem-login-failed = Falsche E-Mail-Adresse oder falsches Passwort.
problem-lot-exceeded = Das Los hat { $quantity } Plätze, { $rebilled } sind bereits weiterberechnet: { $asked } können nicht weiterberechnet werden.
problem-mail-failed = Der Mail-Relay hat die Nachricht nicht angenommen: später erneut versuchen.
problem-method-not-allowed = Diese Adresse nimmt diese Anfrage nicht an.
problem-no-route = Diese Seite gibt es nicht.
problem-no-seat-available = Alle { $seats } Plätze sind belegt.
problem-no-service = Das Mitglied hat keinen Dienst.
problem-not-activated = Diese Maschine ist für diese Lizenz nicht aktiviert.
problem-not-current-term = Nur die laufende Laufzeit kann sich ändern; sie endet am { $term_end }.
problem-not-found = Nicht gefunden: { $detail }
problem-overloaded = Der Server ist voll ausgelastet: gleich erneut versuchen.
problem-parent-unallocated = Der übergeordnete Knoten hält keine Plätze dieses Produkts.
problem-rate-limited = Zu viele Anfragen: einen Moment warten und erneut versuchen.
problem-read-only = Die Datenbank nimmt derzeit keine Änderungen an: Ein Betreiber muss sie beschreibbar machen.
problem-request-timeout = Die Anfrage kam zu langsam an.
problem-retired = { $record ->
        [product] Dieses Produkt ist stillgelegt: Es ändert sich nicht mehr und wird nicht mehr angeboten.
        [policy] Diese Richtlinie ist stillgelegt: Sie ändert sich nicht mehr und wird nicht mehr angeboten.
        [plan] Dieser Tarif ist stillgelegt: Er ändert sich nicht mehr und wird nicht mehr angeboten.
        [customer] Dieser Kunde ist stillgelegt: Er ändert sich nicht mehr und nimmt nichts Neues mehr an.
       *[other] Dieser Eintrag ist stillgelegt: Er ändert sich nicht mehr und wird nicht mehr angeboten.
    }
problem-rights-not-delegated = Diese Änderung des Abonnements ist Sache des Partners, es sei denn, er hat Ihnen dieses Recht übertragen.
problem-seats-in-use = { $seats_used } Plätze sind belegt: Die Lizenz kann nicht weniger haben.
problem-seats-raise-forbidden = Sie dürfen höchstens { $entitled } Plätze vergeben; { $seats } ist eine Erhöhung, die nur die Finanzabteilung vornehmen darf.
problem-service-assigned = Das Mitglied hat bereits einen Dienst: Entziehen Sie ihn zuerst.
problem-service-changed = Der Dienst des Mitglieds hat sich inzwischen geändert: Lesen Sie das Mitglied erneut.
problem-session-ended = Ihre Sitzung ist beendet: Bitte melden Sie sich erneut an.
problem-storage-full = Die Datenbank ist voll: Ein Betreiber muss Platz schaffen.
problem-subscription-changed = Das Abonnement hat sich während der Anfrage ständig geändert: erneut versuchen.
problem-subscription-ended = Das Abonnement ist beendet.
problem-subscription-inactive = Das Abonnement ist { $subscription_status ->
        [cancelled] gekündigt
        [ended] beendet
        [suspended] gesperrt
       *[other] { $subscription_status }
    }.
problem-temporary-quota-used = Diese Lizenz hatte im laufenden Zeitraum bereits { $used ->
        [one] eine temporäre Lizenz
       *[other] { $used } temporäre Lizenzen
    }: Ihr Kontingent ist { $quota }.
problem-token-expired = Dieser Schlüssel ist abgelaufen: Fordern Sie einen neuen an.
problem-too-large = Das ist größer, als der Server annimmt.
problem-too-late-to-cancel = Der letzte Kündigungstag für die am { $term_end } endende Laufzeit war der { $last_day_to_cancel }. Das nächstmögliche Ende ist der { $next_possible_end }, bei Kündigung bis spätestens { $next_last_day_to_cancel }.
problem-totp-invalid = Dieser Code stimmt nicht: Beginnen Sie die Einrichtung erneut.
problem-totp-required = Dieses Konto hat einen zweiten Faktor: Geben Sie den aktuellen Code ein.
problem-transfer-limit = Diese Lizenz hat { $limit }-mal in { $period_days } Tagen die Maschine gewechselt, die Grenze ihrer Richtlinie. Der nächste Wechsel ist ab { $next_move } erlaubt.
problem-quota-exceeded = Der Zähler { $meter } hat in diesem Zeitraum { $used } von { $quota } verbraucht: { $asked } mehr würden das Kontingent überschreiten. Nichts wurde gezählt.
problem-usage-report-replayed = Der Verbrauchsbericht { $counter } dieser Maschine wurde nicht gezählt: Bericht { $last_counter } wurde bereits angenommen, und jeder Bericht zählt einmal, der Reihe nach.
problem-unauthorized = Bitte melden Sie sich an: { $detail }
problem-unsupported-media-type = Diese Art von Inhalt wird hier nicht angenommen.
problem-webhook-refused = Die Adresse wird abgelehnt: { $detail }
problem-wrong-binding = { $needs ->
        [floating] Nur Floating-Lizenzen verleihen Plätze.
       *[other] Diese Lizenz wird nicht pro Maschine aktiviert: { $binding ->
        [floating] Leihen Sie einen Platz aus
       *[other] Sie hat keine Maschine
    }.
    }
problem-subscription-full = Alle { $seats } Lizenzen des Abonnements sind Mitgliedern zugewiesen: Geben Sie eine frei oder erhöhen Sie die Plätze.
problem-subscription-seats-assigned = { $assigned } Mitglieder haben eine Lizenz dieses Abonnements: Es kann nicht weniger als { $assigned } Plätze haben.
problem-option-in-use = { $members } Mitglieder haben eine Option, die entfernt wird: Ändern Sie zuerst deren Optionen.
problem-children-active = { $children ->
        [one] Ein Knoten unter diesem ist in Gebrauch: Legen Sie ihn zuerst still.
       *[other] { $children } Knoten unter diesem sind in Gebrauch: Legen Sie sie zuerst still.
    }

## Editing and retiring a node of the tree.
done-edited = Die Änderungen sind gespeichert.
done-retired = Der Knoten ist stillgelegt: Er nimmt nichts Neues mehr an.
node-edit-title = { $name } bearbeiten
node-edit-lead = Art und Platz im Baum bleiben: Lizenzen, Plätze und Rechte hängen daran.
node-name-rule = So, wie man das Unternehmen oder den Standort kennt.
node-email-rule = Wohin das Backoffice schreibt (optional).
node-ref-rule = Ihre eigene Referenz, z. B. im CRM (optional).
field-external-ref = Referenz
node-retire-what = { $name } nimmt keine neue Lizenz, kein Mitglied, Abonnement, keinen Kauf und keinen Unterknoten mehr an und ändert sich nicht mehr. Was er hält, läuft bis zu seinem Ende weiter; er bleibt im Baum, als stillgelegt markiert, mit seiner Historie. Die Knoten darunter müssen zuerst stillgelegt werden. Die Stilllegung ist endgültig.
node-retired = Stillgelegt am { $date }: Er nimmt nichts Neues mehr an; was er hält, läuft bis zu seinem Ende weiter.
# Invoices
nav-invoices = Rechnungen
tile-invoices-due = offene Rechnungen
inv-title = Rechnungen
inv-lead = Was der nächtliche Lauf in jeder Abrechnungsperiode berechnet: eine Rechnung je Abonnement und Periode, und eine je Partner und Monat für seine zugeteilten Plätze. licentia nimmt keine Zahlungen an: eine Rechnung ist offen, bis sie als (anderswo) bezahlt oder als storniert erfasst wird.
inv-csv = Als CSV exportieren
inv-any = Alle
inv-customer = Kunde
inv-status = Status
inv-period-from = Perioden ab
inv-period-to = Perioden bis
inv-count = { $count ->
    [one] Eine Rechnung
   *[other] { $count } Rechnungen
}
inv-none = Hier gibt es keine Rechnung.
inv-period = Periode
inv-kind = Berechnet für
inv-kind-subscription = Abonnement
inv-kind-allocation = Zugeteilte Plätze
inv-total = Gesamt
inv-net = Netto
inv-tax = USt.
inv-status-due = Offen
inv-status-paid = Bezahlt
inv-status-void = Storniert
inv-invoice-title = Rechnung für { $period }
inv-back = Zurück zu den Rechnungen
inv-mark-paid = Als bezahlt erfassen
inv-mark-void = Rechnung stornieren
inv-id = Kennung
inv-written = Erstellt
inv-open-subscription = Abonnement öffnen
inv-settled = Erledigt
inv-note = Notiz
inv-note-rule = Eine Zahlungsreferenz oder der Grund der Stornierung; optional, höchstens 512 Zeichen.
inv-lines = Positionen
inv-line = Position
inv-quantity = Plätze
inv-unit = Je Platz und Monat
inv-months = Monate
inv-amount = Betrag
inv-no-lines = Diese Rechnung hat keine Position.
inv-paid-title = Rechnung über { $total } als bezahlt erfassen?
inv-paid-what = Die Rechnung wird als anderswo beglichen erfasst: licentia nimmt keine Zahlungen an. Sie zählt nicht mehr als offen; das lässt sich nicht rückgängig machen.
inv-void-title = Rechnung über { $total } stornieren?
inv-void-what = Die Rechnung zählt nicht mehr als offen und bleibt als storniert erhalten; das lässt sich nicht rückgängig machen. Die Periode wird nicht erneut berechnet.
problem-adjustment-invoiced = Eine anteilige Änderung wurde inzwischen berechnet: erneut versuchen.
problem-usage-invoiced = Ein Verbrauch wurde inzwischen berechnet: erneut versuchen.
problem-invoice-settled = Die Rechnung ist bereits { $invoice_status ->
        [paid] bezahlt
        [void] storniert
       *[other] { $invoice_status }
    }.
field-billing-cycle = Abrechnungszyklus
cycle-monthly = monatlich
cycle-quarterly = vierteljährlich
cycle-yearly = jährlich
cycle-changing = { $now }, dann { $next } ab { $date }
problem-bad-cursor = Dieser Link auf eine Seite der Liste ist veraltet: Öffnen Sie die Liste erneut ab ihrer ersten Seite.

## Verträge und Abrechnungsverfolgung
nav-contracts = Verträge
ctr-title = Verträge
ctr-lead = Verlängerungsverträge mit Lieferanten, nach Enddatum, mit dem letzten Kündigungstag und den Kauflosen, die jeder abdeckt.
ctr-back = Zurück zu den Verträgen
ctr-registers-title = Lieferanten und Vertragsarten
ctr-registers-lead = Die Lieferanten, mit denen Verträge geschlossen werden, und die Vertragsarten (Wartung, Abonnement, Support...).
ctr-suppliers = Lieferanten
ctr-types = Vertragsarten
ctr-name = Name
ctr-name-rule = 1 bis 200 Zeichen, eindeutig in seiner Liste.
ctr-recorded = Erfasst
ctr-none = Noch nichts erfasst.
ctr-add-supplier = Lieferanten hinzufügen
ctr-add-contract-type = Vertragsart hinzufügen
ctr-new = Vertrag erfassen
ctr-new-lead = Ein Verlängerungsvertrag mit einem Lieferanten, gehalten von einem Knoten an der Spitze des Kundenbaums. Sein Ende wird denen angekündigt, die es verlangt haben.
ctr-record = Vertrag erfassen
ctr-count = { $count ->
    [one] { $count } Vertrag
   *[other] { $count } Verträge
}
ctr-reference = Referenz
ctr-reference-rule = Die Referenz des Lieferanten, eindeutig je Lieferant.
ctr-customer-id = Inhaber
ctr-customer-id-rule = Ein Knoten an der Spitze des Kundenbaums (meist ein Partner).
ctr-supplier-id = Lieferant
ctr-supplier-id-rule = Einer der erfassten Lieferanten.
ctr-contract-type-id = Vertragsart
ctr-contract-type-id-rule = Eine der erfassten Vertragsarten.
ctr-starts-on = Beginn
ctr-starts-on-rule = Ein Kalenderdatum, JJJJ-MM-TT.
ctr-ends-on = Ende
ctr-ends-on-rule = Der letzte Tag, nach dem Beginn, JJJJ-MM-TT.
ctr-notice-period = Kündigungsfrist
ctr-notice-period-rule = Etwa „3 months before term end“; optional.
ctr-cost = Kosten
ctr-cost-rule = Ein Dezimalbetrag wie 1234.50, höchstens mit den Nachkommastellen der Währung; braucht seine Währung.
ctr-currency = Währung
ctr-currency-rule = Ein ISO-4217-Code wie EUR, USD oder JPY.
ctr-po-number = Bestellnummer
ctr-po-number-rule = Nummer der Bestellung; optional.
ctr-invoice-number = Rechnungsnummer
ctr-invoice-number-rule = Rechnungsnummer; optional.
ctr-last-day-to-cancel = Letzter Kündigungstag
ctr-one-title = Vertrag { $reference }
ctr-lots = Abgedeckte Lose
ctr-no-lots = Mit diesem Vertrag ist noch kein Los verknüpft.
ctr-edit = Bedingungen ändern
ctr-save = Bedingungen speichern
fup-title = Abrechnungsverfolgung
fup-lead = Jede Weiterberechnung an einen Kunden öffnet hier einen Eintrag, bis er berechnet und geschlossen ist.
fup-status = Status
fup-open = Offen
fup-done = Erledigt
fup-lot = Los
fup-close = Schließen
fup-count = { $count ->
    [one] { $count } Eintrag
   *[other] { $count } Einträge
}
fup-opened = Geöffnet
fup-client = Berechneter Kunde
fup-buyer = Berechnet von
fup-none = Hier gibt es keinen Eintrag.
fup-close-title = Diesen Eintrag schließen?
fup-close-consequence = Er wandert zu den erledigten Einträgen und kann nicht wieder geöffnet werden.

## Versionen (Seite eines Produkts; Seite einer Lizenz)
rel-count = { $count ->
    [one] { $count } Version
   *[other] { $count } Versionen
}
rel-new = Neue Version
rel-add = Version hinzufügen
rel-version = Version
rel-version-rule = Durch Punkte getrennte Zahlen, optional „-“ und eine Kennung: 3.1, 4.0-beta.1. Jede Version nur einmal.
rel-date = Veröffentlichungsdatum
rel-date-rule = Die Wartung einer Lizenz deckt die bis zu ihrem Ende veröffentlichten Versionen.
rel-channel = Kanal
rel-channel-rule = Etwa stable oder beta: Buchstaben, Ziffern, „-“, „_“ und „.“.
rel-notes = Hinweise
rel-notes-rule = Optional, höchstens 256 Zeichen: Sie stehen im signierten Versionskatalog.
rel-download-url = Download-Adresse
rel-download-url-rule = Optional: woher das Produkt diese Version lädt.
rel-download = Herunterladen
term-updates-until = Ende der Wartung
term-releases = Versionen, die sie ausführen darf
