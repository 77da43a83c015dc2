/*
 * text.c - every word vouch-web shows, in the five languages of vouch
 * (en, da, nl, sv, ms; terms from the glossary the tools use too), and
 * the choice of language: the account's when vouchd names it, else the
 * browser's Accept-Language.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "web.h"

const char *const web_langs[WEB_LANGS] = {"en", "da", "nl", "sv", "ms"};

static const char *const texts[W_COUNT][WEB_LANGS] = {
    [W_SITE] = {"Account", "Konto", "Account", "Konto", "Akaun"},
    [W_RESET_TITLE] = {"Change password", "Skift adgangskode",
                       "Wachtwoord wijzigen", "Ändra lösenord",
                       "Tukar kata laluan"},
    [W_RESET_INTRO] =
        {"Choose a new password. It may not be the same as your previous "
         "password.",
         "Vælg en ny adgangskode. Den må ikke være den samme som din "
         "forrige adgangskode.",
         "Kies een nieuw wachtwoord. Het mag niet hetzelfde zijn als je "
         "vorige wachtwoord.",
         "Välj ett nytt lösenord. Det får inte vara samma som ditt förra "
         "lösenord.",
         "Pilih kata laluan baharu. Ia tidak boleh sama dengan kata laluan "
         "anda sebelum ini."},
    [W_NEW_PW] = {"New password", "Ny adgangskode", "Nieuw wachtwoord",
                  "Nytt lösenord", "Kata laluan baharu"},
    [W_NEW_PW2] = {"New password again", "Ny adgangskode igen",
                   "Nieuw wachtwoord nogmaals", "Nytt lösenord igen",
                   "Kata laluan baharu sekali lagi"},
    [W_CONTINUE] = {"Continue", "Fortsæt", "Doorgaan", "Fortsätt", "Teruskan"},
    [W_DONE_TITLE] = {"Your password was changed",
                      "Din adgangskode er blevet ændret",
                      "Je wachtwoord is gewijzigd",
                      "Ditt lösenord har ändrats",
                      "Kata laluan anda telah ditukar"},
    [W_DONE_TEXT] =
        {"Sign in with your new password. Every device that was signed in "
         "has been signed out.",
         "Log ind med din nye adgangskode. Alle enheder, der var logget "
         "ind, er blevet logget ud.",
         "Log in met je nieuwe wachtwoord. Alle apparaten die waren "
         "ingelogd, zijn uitgelogd.",
         "Logga in med ditt nya lösenord. Alla enheter som var inloggade "
         "har loggats ut.",
         "Log masuk dengan kata laluan baharu anda. Semua peranti yang log "
         "masuk telah dilog keluar."},
    [W_EXPIRED_TITLE] = {"This link has expired", "Linket er udløbet",
                         "Deze link is verlopen", "Länken har gått ut",
                         "Pautan ini telah tamat tempoh"},
    [W_EXPIRED_TEXT] =
        {"The link was already used, or it is too old. Ask for a new one "
         "where you asked for this one.",
         "Linket er allerede brugt, eller det er for gammelt. Bed om et nyt "
         "samme sted, som du bad om dette.",
         "De link is al gebruikt of te oud. Vraag een nieuwe aan waar je "
         "deze hebt aangevraagd.",
         "Länken har redan använts eller är för gammal. Be om en ny där du "
         "bad om den här.",
         "Pautan ini telah digunakan atau terlalu lama. Minta pautan baharu "
         "di tempat anda memintanya."},
    [W_INVALID_TITLE] = {"This link is not valid", "Linket er ikke gyldigt",
                         "Deze link is niet geldig", "Länken är inte giltig",
                         "Pautan ini tidak sah"},
    [W_INVALID_TEXT] =
        {"Check that you opened the whole link from the email.",
         "Kontrollér, at du har åbnet hele linket fra e-mailen.",
         "Controleer of je de volledige link uit de e-mail hebt geopend.",
         "Kontrollera att du öppnade hela länken från e-postmeddelandet.",
         "Pastikan anda membuka keseluruhan pautan daripada e-mel."},
    [W_MISMATCH] = {"The two passwords are not the same.",
                    "De to adgangskoder er ikke ens.",
                    "De twee wachtwoorden zijn niet hetzelfde.",
                    "De två lösenorden är inte likadana.",
                    "Kedua-dua kata laluan tidak sama."},
    [W_SHORT] = {"The password must have at least %s characters.",
                 "Adgangskoden skal have mindst %s tegn.",
                 "Het wachtwoord moet minstens %s tekens hebben.",
                 "Lösenordet måste ha minst %s tecken.",
                 "Kata laluan mesti mempunyai sekurang-kurangnya %s aksara."},
    [W_LONG] = {"The password is too long.", "Adgangskoden er for lang.",
                "Het wachtwoord is te lang.", "Lösenordet är för långt.",
                "Kata laluan terlalu panjang."},
    [W_REUSED] =
        {"The new password may not be the same as your previous password.",
         "Den nye adgangskode må ikke være den samme som din forrige.",
         "Het nieuwe wachtwoord mag niet hetzelfde zijn als je vorige.",
         "Det nya lösenordet får inte vara samma som ditt förra.",
         "Kata laluan baharu tidak boleh sama dengan kata laluan "
         "sebelumnya."},
    [W_BAD_CHARS] = {"The password holds characters that cannot be used.",
                     "Adgangskoden indeholder tegn, der ikke kan bruges.",
                     "Het wachtwoord bevat tekens die niet gebruikt kunnen "
                     "worden.",
                     "Lösenordet innehåller tecken som inte kan användas.",
                     "Kata laluan mengandungi aksara yang tidak boleh "
                     "digunakan."},
    [W_ERROR_TITLE] = {"Something went wrong", "Noget gik galt",
                       "Er ging iets mis", "Något gick fel",
                       "Sesuatu tidak kena"},
    [W_ERROR_TEXT] = {"Nothing was changed. Try again in a few minutes.",
                      "Intet blev ændret. Prøv igen om et par minutter.",
                      "Er is niets gewijzigd. Probeer het over een paar "
                      "minuten opnieuw.",
                      "Inget ändrades. Försök igen om några minuter.",
                      "Tiada apa yang diubah. Cuba lagi dalam beberapa "
                      "minit."},
    [W_NOTFOUND_TITLE] = {"Page not found", "Siden blev ikke fundet",
                          "Pagina niet gevonden", "Sidan hittades inte",
                          "Halaman tidak ditemui"},
    [W_NOTFOUND_TEXT] = {"Check the address, or open the link from the "
                         "email again.",
                         "Kontrollér adressen, eller åbn linket fra "
                         "e-mailen igen.",
                         "Controleer het adres of open de link uit de e-mail "
                         "opnieuw.",
                         "Kontrollera adressen eller öppna länken från "
                         "e-postmeddelandet igen.",
                         "Semak alamat, atau buka pautan daripada e-mel "
                         "sekali lagi."},
    [W_BADFORM_TITLE] = {"The form could not be read",
                         "Formularen kunne ikke læses",
                         "Het formulier kon niet worden gelezen",
                         "Formuläret kunde inte läsas",
                         "Borang tidak dapat dibaca"},
    [W_BADFORM_TEXT] = {"Nothing was changed. Open the page again and fill "
                        "in the form.",
                        "Intet blev ændret. Åbn siden igen, og udfyld "
                        "formularen.",
                        "Er is niets gewijzigd. Open de pagina opnieuw en "
                        "vul het formulier in.",
                        "Inget ändrades. Öppna sidan igen och fyll i "
                        "formuläret.",
                        "Tiada apa yang diubah. Buka halaman sekali lagi dan "
                        "isi borang."},
    [W_FORBIDDEN_TITLE] = {"This form has expired", "Formularen er udløbet",
                           "Dit formulier is verlopen",
                           "Formuläret har gått ut",
                           "Borang ini telah tamat "
                           "tempoh"},
    [W_FORBIDDEN_TEXT] = {"Nothing was changed. Open the link from the email "
                          "again and fill in the form.",
                          "Intet blev ændret. Åbn linket fra e-mailen igen, "
                          "og udfyld formularen.",
                          "Er is niets gewijzigd. Open de link uit de e-mail "
                          "opnieuw en vul het formulier in.",
                          "Inget ändrades. Öppna länken från "
                          "e-postmeddelandet igen och fyll i formuläret.",
                          "Tiada apa yang diubah. Buka pautan daripada e-mel "
                          "sekali lagi dan isi borang."},
    [W_TOOLARGE_TEXT] = {"The form is too large.", "Formularen er for stor.",
                         "Het formulier is te groot.",
                         "Formuläret är för stort.", "Borang terlalu besar."},
    [W_METHOD_TEXT] = {"This page does not take that kind of request.",
                       "Denne side tager ikke imod den slags forespørgsler.",
                       "Deze pagina accepteert dit soort verzoeken niet.",
                       "Den här sidan tar inte emot sådana förfrågningar.",
                       "Halaman ini tidak menerima permintaan sebegitu."},
    [W_FORGOT_TITLE] = {"Forgot your password?", "Glemt din adgangskode?",
                        "Wachtwoord vergeten?", "Glömt ditt lösenord?",
                        "Terlupa kata laluan?"},
    [W_FORGOT_INTRO] =
        {"Enter the email address or phone number of your account. We send "
         "a link by email, or a code by SMS.",
         "Indtast din kontos e-mailadresse eller telefonnummer. Vi sender et "
         "link via e-mail eller en kode via sms.",
         "Voer het e-mailadres of telefoonnummer van je account in. We "
         "sturen een link per e-mail of een code per sms.",
         "Ange e-postadressen eller telefonnumret för ditt konto. Vi skickar "
         "en länk via e-post eller en kod via sms.",
         "Masukkan alamat e-mel atau nombor telefon akaun anda. Kami akan "
         "menghantar pautan melalui e-mel atau kod melalui SMS."},
    [W_WHO] = {"Email address or phone number",
               "E-mailadresse eller telefonnummer",
               "E-mailadres of telefoonnummer",
               "E-postadress eller telefonnummer",
               "Alamat e-mel atau nombor telefon"},
    [W_WHO_BAD] =
        {"Enter an email address, or a phone number with its country code "
         "(such as +45).",
         "Indtast en e-mailadresse eller et telefonnummer med landekode "
         "(f.eks. +45).",
         "Voer een e-mailadres in, of een telefoonnummer met landcode "
         "(zoals +31).",
         "Ange en e-postadress eller ett telefonnummer med landsnummer "
         "(till exempel +46).",
         "Masukkan alamat e-mel, atau nombor telefon dengan kod negara "
         "(seperti +60)."},
    [W_SENT_TITLE] = {"Check your messages", "Tjek dine beskeder",
                      "Bekijk je berichten", "Kolla dina meddelanden",
                      "Semak mesej anda"},
    [W_SENT_EMAIL] =
        {"If an account uses this email address, we have sent it a link to "
         "choose a new password. The link works once and for a limited time.",
         "Hvis en konto bruger denne e-mailadresse, har vi sendt et link til "
         "at vælge en ny adgangskode. Linket virker én gang og i begrænset "
         "tid.",
         "Als een account dit e-mailadres gebruikt, hebben we een link "
         "gestuurd om een nieuw wachtwoord te kiezen. De link werkt één keer "
         "en een beperkte tijd.",
         "Om ett konto använder den här e-postadressen har vi skickat en "
         "länk för att välja ett nytt lösenord. Länken fungerar en gång och "
         "under en begränsad tid.",
         "Jika akaun menggunakan alamat e-mel ini, kami telah menghantar "
         "pautan untuk memilih kata laluan baharu. Pautan berfungsi sekali "
         "sahaja dan untuk masa yang terhad."},
    [W_SENT_SMS] =
        {"If an account uses this phone number, we have sent it a 6-digit "
         "code by SMS. Enter it here with your new password.",
         "Hvis en konto bruger dette telefonnummer, har vi sendt en 6-cifret "
         "kode via sms. Indtast den her sammen med din nye adgangskode.",
         "Als een account dit telefoonnummer gebruikt, hebben we een "
         "6-cijferige code per sms gestuurd. Voer die hier in met je nieuwe "
         "wachtwoord.",
         "Om ett konto använder det här telefonnumret har vi skickat en "
         "6-siffrig kod via sms. Ange den här tillsammans med ditt nya "
         "lösenord.",
         "Jika akaun menggunakan nombor telefon ini, kami telah menghantar "
         "kod 6 digit melalui SMS. Masukkan kod itu di sini bersama kata "
         "laluan baharu anda."},
    [W_CODE] = {"6-digit code", "6-cifret kode", "6-cijferige code",
                "6-siffrig kod", "Kod 6 digit"},
    [W_CODE_WRONG] =
        {"That code is not right. Check the SMS and try again.",
         "Koden er forkert. Tjek sms'en, og prøv igen.",
         "Die code klopt niet. Controleer de sms en probeer het "
         "opnieuw.",
         "Koden stämmer inte. Kontrollera sms:et och försök igen.",
         "Kod itu tidak betul. Semak SMS dan cuba lagi."},
    [W_CODE_STALE] =
        {"The code has expired or was already used. Ask for a "
         "new one.",
         "Koden er udløbet eller allerede brugt. Bed om en ny.",
         "De code is verlopen of al gebruikt. Vraag een nieuwe "
         "aan.",
         "Koden har gått ut eller har redan använts. Be om en ny.",
         "Kod telah tamat tempoh atau telah digunakan. Minta kod "
         "baharu."},
    [W_CODE_BAD] = {"Enter the code as it is in the SMS: digits only.",
                    "Indtast koden, som den står i sms'en: kun cifre.",
                    "Voer de code in zoals in de sms: alleen cijfers.",
                    "Ange koden som den står i sms:et: bara siffror.",
                    "Masukkan kod seperti dalam SMS: digit sahaja."},
    [W_LOCKED] =
        {"Too many wrong answers. For your security, we have sent a link to "
         "reset your password to the email address of the account.",
         "For mange forkerte svar. Af sikkerhedshensyn har vi sendt et link "
         "til nulstilling af adgangskoden til kontoens e-mailadresse.",
         "Te veel verkeerde antwoorden. Voor je veiligheid hebben we een link "
         "om je wachtwoord opnieuw in te stellen naar het e-mailadres van "
         "het account gestuurd.",
         "För många felaktiga svar. För din säkerhet har vi skickat en länk "
         "för att återställa lösenordet till kontots e-postadress.",
         "Terlalu banyak jawapan salah. Demi keselamatan anda, kami telah "
         "menghantar pautan untuk menetapkan semula kata laluan ke alamat "
         "e-mel akaun."},
    [W_RATE_TITLE] = {"Too many requests", "For mange anmodninger",
                      "Te veel verzoeken", "För många förfrågningar",
                      "Terlalu banyak permintaan"},
    [W_RATE_TEXT] = {"Nothing was sent. Wait an hour before you ask again.",
                     "Intet blev sendt. Vent en time, før du spørger igen.",
                     "Er is niets verzonden. Wacht een uur voordat je het "
                     "opnieuw vraagt.",
                     "Inget skickades. Vänta en timme innan du frågar igen.",
                     "Tiada apa yang dihantar. Tunggu sejam sebelum meminta "
                     "lagi."},
    [W_ASK_NEW] = {"Ask for a new link", "Bed om et nyt link",
                   "Vraag een nieuwe link aan", "Be om en ny länk",
                   "Minta pautan baharu"},
    [W_EXPORT_TITLE] = {"Confirm request", "Bekræft anmodning",
                        "Aanvraag bevestigen", "Bekräfta begäran",
                        "Sahkan permintaan"},
    [W_EXPORT_INTRO] =
        {"Confirm your request for your personal information with your "
         "current password. We send you an email when it is ready to "
         "download; this can take up to 30 days.",
         "Bekræft din anmodning om dine personoplysninger med din nuværende "
         "adgangskode. Vi sender dig en e-mail, når de er klar til download; "
         "det kan tage op til 30 dage.",
         "Bevestig je aanvraag voor je persoonsgegevens met je huidige "
         "wachtwoord. We sturen je een e-mail zodra ze klaar zijn om te "
         "downloaden; dit kan tot 30 dagen duren.",
         "Bekräfta din begäran om dina personuppgifter med ditt nuvarande "
         "lösenord. Vi skickar ett e-postmeddelande när de är klara att "
         "ladda ner; det kan ta upp till 30 dagar.",
         "Sahkan permintaan anda untuk maklumat peribadi anda dengan kata "
         "laluan semasa. Kami akan menghantar e-mel apabila ia sedia untuk "
         "dimuat turun; ini boleh mengambil masa sehingga 30 hari."},
    [W_CURRENT_PW] = {"Current password", "Nuværende adgangskode",
                      "Huidig wachtwoord", "Nuvarande lösenord",
                      "Kata laluan semasa"},
    [W_EXPORT_CONFIRM] = {"Confirm request", "Bekræft anmodning",
                          "Aanvraag bevestigen", "Bekräfta begäran",
                          "Sahkan permintaan"},
    [W_EXPORT_CANCEL_INTRO] = {"Did you not ask for this?",
                               "Har du ikke bedt om dette?",
                               "Heb je hier niet om gevraagd?",
                               "Har du inte bett om detta?",
                               "Anda tidak memintanya?"},
    [W_EXPORT_CANCEL] = {"Cancel the request", "Annullér anmodningen",
                         "Aanvraag annuleren", "Avbryt begäran",
                         "Batalkan permintaan"},
    [W_EXPORT_DONE_TITLE] = {"Request confirmed", "Anmodningen er bekræftet",
                             "Aanvraag bevestigd", "Begäran bekräftad",
                             "Permintaan disahkan"},
    [W_EXPORT_DONE_TEXT] =
        {"We are preparing your personal information. We send you an email "
         "when it is ready to download.",
         "Vi gør dine personoplysninger klar. Vi sender dig en e-mail, når "
         "de er klar til download.",
         "We maken je persoonsgegevens klaar. We sturen je een e-mail zodra "
         "ze klaar zijn om te downloaden.",
         "Vi förbereder dina personuppgifter. Vi skickar ett "
         "e-postmeddelande när de är klara att ladda ner.",
         "Kami sedang menyediakan maklumat peribadi anda. Kami akan "
         "menghantar e-mel apabila ia sedia untuk dimuat turun."},
    [W_EXPORT_CANCELLED_TITLE] = {"Request cancelled",
                                  "Anmodningen er annulleret",
                                  "Aanvraag geannuleerd", "Begäran avbruten",
                                  "Permintaan dibatalkan"},
    [W_EXPORT_CANCELLED_TEXT] =
        {"Nothing will be prepared. If you did not ask for it, change your "
         "password.",
         "Intet bliver gjort klar. Hvis du ikke bad om det, så skift din "
         "adgangskode.",
         "Er wordt niets klaargemaakt. Als je er niet om hebt gevraagd, "
         "wijzig dan je wachtwoord.",
         "Inget kommer att förberedas. Om du inte bad om det, ändra ditt "
         "lösenord.",
         "Tiada apa yang akan disediakan. Jika anda tidak memintanya, tukar "
         "kata laluan anda."},
    [W_EXPORT_GONE_TEXT] =
        {"This request was already confirmed or cancelled, or it waited too "
         "long. You can ask again from your account.",
         "Denne anmodning er allerede bekræftet eller annulleret, eller den "
         "ventede for længe. Du kan spørge igen fra din konto.",
         "Deze aanvraag is al bevestigd of geannuleerd, of wachtte te lang. "
         "Je kunt het opnieuw vragen vanuit je account.",
         "Den här begäran har redan bekräftats eller avbrutits, eller så "
         "väntade den för länge. Du kan fråga igen från ditt konto.",
         "Permintaan ini telah disahkan atau dibatalkan, atau menunggu "
         "terlalu lama. Anda boleh meminta lagi daripada akaun anda."},
    [W_PW_WRONG] = {"That password is not right.", "Adgangskoden er forkert.",
                    "Dat wachtwoord klopt niet.", "Lösenordet stämmer inte.",
                    "Kata laluan itu tidak betul."},
    [W_DOWNLOAD_TITLE] = {"Download your personal information",
                          "Download dine personoplysninger",
                          "Je persoonsgegevens downloaden",
                          "Ladda ner dina personuppgifter",
                          "Muat turun maklumat peribadi anda"},
    [W_DOWNLOAD_INTRO] =
        {"Sign in to download the copy of your personal information.",
         "Log ind for at downloade kopien af dine personoplysninger.",
         "Log in om de kopie van je persoonsgegevens te downloaden.",
         "Logga in för att ladda ner kopian av dina personuppgifter.",
         "Log masuk untuk memuat turun salinan maklumat peribadi anda."},
    [W_USER] = {"User name", "Brugernavn", "Gebruikersnaam", "Användarnamn",
                "Nama pengguna"},
    [W_PASSWORD] = {"Password", "Adgangskode", "Wachtwoord", "Lösenord",
                    "Kata laluan"},
    [W_DOWNLOAD] = {"Download", "Download", "Downloaden", "Ladda ner",
                    "Muat turun"},
    [W_DOWNLOAD_GONE] =
        {"The copy is no longer available. You can ask again from your "
         "account.",
         "Kopien er ikke længere tilgængelig. Du kan spørge igen fra din "
         "konto.",
         "De kopie is niet meer beschikbaar. Je kunt het opnieuw vragen "
         "vanuit je account.",
         "Kopian finns inte längre. Du kan fråga igen från ditt konto.",
         "Salinan itu tidak lagi tersedia. Anda boleh meminta lagi daripada "
         "akaun anda."},
    [W_SIGNIN_WRONG] = {"The user name or password is not right.",
                        "Brugernavnet eller adgangskoden er forkert.",
                        "De gebruikersnaam of het wachtwoord klopt niet.",
                        "Användarnamnet eller lösenordet stämmer inte.",
                        "Nama pengguna atau kata laluan tidak betul."},
    [W_REUSED_AGAIN] =
        {"The new password may not be the same as your previous password. "
         "That code is used up: ask for a new one.",
         "Den nye adgangskode må ikke være den samme som din forrige. Koden "
         "er brugt: bed om en ny.",
         "Het nieuwe wachtwoord mag niet hetzelfde zijn als je vorige. Die "
         "code is gebruikt: vraag een nieuwe aan.",
         "Det nya lösenordet får inte vara samma som ditt förra. Koden är "
         "förbrukad: be om en ny.",
         "Kata laluan baharu tidak boleh sama dengan kata laluan "
         "sebelumnya. Kod itu telah digunakan: minta kod baharu."},
    [W_TV_TITLE] = {"Sign in on a TV", "Log ind på et tv",
                    "Inloggen op een tv", "Logga in på en tv",
                    "Log masuk pada TV"},
    [W_TV_INTRO] = {"Enter the sign-in code shown on the TV, then sign in to "
                    "your account to approve it.",
                    "Indtast loginkoden, der vises på tv'et, og log derefter "
                    "ind på din konto for at godkende den.",
                    "Voer de inlogcode in die op de tv staat en log daarna in "
                    "op je account om hem goed te keuren.",
                    "Ange inloggningskoden som visas på tv:n och logga sedan "
                    "in på ditt konto för att godkänna den.",
                    "Masukkan kod log masuk yang dipaparkan pada TV, kemudian "
                    "log masuk ke akaun anda untuk meluluskannya."},
    [W_TV_CODE] = {"Sign-in code", "Loginkode", "Inlogcode", "Inloggningskod",
                   "Kod log masuk"},
    [W_TV_CODE_BAD] = {"Enter the sign-in code as the TV shows it: 8 letters "
                       "and digits, such as ABCD-EFGH.",
                       "Indtast loginkoden, som tv'et viser den: 8 bogstaver "
                       "og cifre, f.eks. ABCD-EFGH.",
                       "Voer de inlogcode in zoals de tv hem toont: 8 letters "
                       "en cijfers, zoals ABCD-EFGH.",
                       "Ange inloggningskoden som tv:n visar den: 8 bokstäver "
                       "och siffror, till exempel ABCD-EFGH.",
                       "Masukkan kod log masuk seperti yang dipaparkan pada "
                       "TV: 8 huruf dan digit, contohnya ABCD-EFGH."},
    [W_CHECK_TITLE] = {"Security check", "Sikkerhedskontrol",
                       "Beveiligingscontrole", "Säkerhetskontroll",
                       "Semakan keselamatan"},
    [W_CHECK_EMAIL] =
        {"We sent a code to %s. Enter it here.",
         "Vi har sendt en kode til %s. Indtast den her.",
         "We hebben een code gestuurd naar %s. Voer hem hier in.",
         "Vi har skickat en kod till %s. Ange den här.",
         "Kami telah menghantar kod ke %s. Masukkan kod itu di sini."},
    [W_CHECK_SMS] =
        {"We sent a code by SMS to %s. Enter it here.",
         "Vi har sendt en kode via sms til %s. Indtast den her.",
         "We hebben een code per sms gestuurd naar %s. Voer hem hier in.",
         "Vi har skickat en kod via sms till %s. Ange den här.",
         "Kami telah menghantar kod melalui SMS ke %s. Masukkan kod itu di "
         "sini."},
    [W_CHECK_AGAIN] =
        {"The code we sent to %s a little while ago still works. Enter it "
         "here, or send the code again.",
         "Koden, vi sendte til %s for lidt siden, virker stadig. Indtast den "
         "her, eller send koden igen.",
         "De code die we kort geleden naar %s stuurden, werkt nog. Voer hem "
         "hier in of verzend de code opnieuw.",
         "Koden som vi skickade till %s för en stund sedan fungerar "
         "fortfarande. Ange den här eller skicka koden igen.",
         "Kod yang kami hantar ke %s sebentar tadi masih sah. Masukkan kod "
         "itu di sini, atau hantar kod semula."},
    [W_CHECK_RESENT] =
        {"We sent a new code to %s. Enter it here.",
         "Vi har sendt en ny kode til %s. Indtast den her.",
         "We hebben een nieuwe code gestuurd naar %s. Voer hem hier in.",
         "Vi har skickat en ny kod till %s. Ange den här.",
         "Kami telah menghantar kod baharu ke %s. Masukkan kod itu di sini."},
    [W_CHECK_CARD] =
        {"Enter the full card number on file, the card that ends in %s.",
         "Indtast hele kortnummeret, vi har registreret: kortet, der ender på "
         "%s.",
         "Voer het volledige kaartnummer in dat bij ons bekend is: de kaart "
         "die eindigt op %s.",
         "Ange hela kortnumret som finns registrerat: kortet som slutar på "
         "%s.",
         "Masukkan nombor kad penuh yang ada dalam rekod, iaitu kad yang "
         "berakhir dengan %s."},
    [W_CARD] = {"Card number", "Kortnummer", "Kaartnummer", "Kortnummer",
                "Nombor kad"},
    [W_CARD_BAD] =
        {"That is not a card number. Check the digits and try again.",
         "Det er ikke et kortnummer. Tjek cifrene, og prøv igen.",
         "Dat is geen kaartnummer. Controleer de cijfers en probeer het "
         "opnieuw.",
         "Det är inget kortnummer. Kontrollera siffrorna och försök igen.",
         "Itu bukan nombor kad. Semak digit dan cuba lagi."},
    [W_CARD_WRONG] =
        {"That card number is not the one on file.",
         "Kortnummeret er ikke det, vi har registreret.",
         "Dat kaartnummer is niet het nummer dat bij ons bekend is.",
         "Kortnumret är inte det som finns registrerat.",
         "Nombor kad itu bukan yang ada dalam rekod."},
    [W_CHECK_WRONG] =
        {"That code is not right. Check the message and try again.",
         "Koden er forkert. Tjek beskeden, og prøv igen.",
         "Die code klopt niet. Controleer het bericht en probeer het opnieuw.",
         "Koden stämmer inte. Kontrollera meddelandet och försök igen.",
         "Kod itu tidak betul. Semak mesej dan cuba lagi."},
    [W_CHECK_BADCODE] =
        {"Enter the code as it is in the message: digits only.",
         "Indtast koden, som den står i beskeden: kun cifre.",
         "Voer de code in zoals in het bericht: alleen cijfers.",
         "Ange koden som den står i meddelandet: bara siffror.",
         "Masukkan kod seperti dalam mesej: digit sahaja."},
    [W_RESEND] = {"Send code again", "Send koden igen",
                  "Code opnieuw verzenden", "Skicka koden igen",
                  "Hantar kod semula"},
    [W_ANOTHER] = {"Try another way", "Prøv på en anden måde",
                   "Probeer het op een andere manier",
                   "Försök på ett annat sätt", "Cuba cara lain"},
    [W_WAY_EMAIL] = {"Code by email", "Kode via e-mail", "Code per e-mail",
                     "Kod via e-post", "Kod melalui e-mel"},
    [W_WAY_SMS] = {"Code by SMS", "Kode via sms", "Code per sms",
                   "Kod via sms", "Kod melalui SMS"},
    [W_WAY_CARD] = {"Card number on file", "Registreret kortnummer",
                    "Bekend kaartnummer", "Registrerat kortnummer",
                    "Nombor kad dalam rekod"},
    [W_CODE_WAIT] = {"A code was sent a moment ago and still works. Wait a "
                     "little before you ask for another.",
                     "Der blev sendt en kode for et øjeblik siden, og den "
                     "virker stadig. Vent lidt, før du beder om en ny.",
                     "Er is zojuist een code verzonden en die werkt nog. "
                     "Wacht even voordat je een nieuwe vraagt.",
                     "En kod skickades för ett ögonblick sedan och fungerar "
                     "fortfarande. Vänta lite innan du ber om en ny.",
                     "Kod telah dihantar sebentar tadi dan masih sah. Tunggu "
                     "sebentar sebelum meminta kod lain."},
    [W_CODE_CAPPED] = {"No more codes can be sent for now. Try another way, "
                       "or try again later.",
                       "Der kan ikke sendes flere koder lige nu. Prøv på en "
                       "anden måde, eller prøv igen senere.",
                       "Er kunnen nu geen codes meer worden verzonden. "
                       "Probeer het op een andere manier of later opnieuw.",
                       "Inga fler koder kan skickas just nu. Försök på ett "
                       "annat sätt eller försök igen senare.",
                       "Tiada lagi kod boleh dihantar buat masa ini. Cuba "
                       "cara lain, atau cuba lagi kemudian."},
    [W_SEND_FAILED] = {"The code could not be sent. Try another way.",
                       "Koden kunne ikke sendes. Prøv på en anden måde.",
                       "De code kon niet worden verzonden. Probeer het op een "
                       "andere manier.",
                       "Koden kunde inte skickas. Försök på ett annat sätt.",
                       "Kod tidak dapat dihantar. Cuba cara lain."},
    [W_NOWAY_TITLE] = {"We cannot check that it is you",
                       "Vi kan ikke kontrollere, at det er dig",
                       "We kunnen niet controleren of jij het bent",
                       "Vi kan inte kontrollera att det är du",
                       "Kami tidak dapat mengesahkan bahawa ini anda"},
    [W_NOWAY_TEXT] =
        {"Your account has no email address, verified phone number or card on "
         "file. Ask your administrator to add one.",
         "Din konto har ingen e-mailadresse, intet bekræftet telefonnummer og "
         "intet kort registreret. Bed din administrator om at tilføje et.",
         "Je account heeft geen e-mailadres, geverifieerd telefoonnummer of "
         "kaart. Vraag je beheerder er een toe te voegen.",
         "Ditt konto har ingen e-postadress, inget verifierat telefonnummer "
         "och inget kort registrerat. Be din administratör att lägga till "
         "ett.",
         "Akaun anda tiada alamat e-mel, nombor telefon yang disahkan atau "
         "kad dalam rekod. Minta pentadbir anda menambahkannya."},
    [W_RESETREQ_TITLE] = {"Password reset required",
                          "Nulstilling af adgangskode påkrævet",
                          "Wachtwoord opnieuw instellen vereist",
                          "Lösenordsåterställning krävs",
                          "Tetapan semula kata laluan diperlukan"},
    [W_RESETREQ_TEXT] =
        {"Choose a new password before you sign in. We sent a link to the "
         "email address of the account; you can also ask for a new one.",
         "Vælg en ny adgangskode, før du logger ind. Vi har sendt et link til "
         "kontoens e-mailadresse; du kan også bede om et nyt.",
         "Kies een nieuw wachtwoord voordat je inlogt. We hebben een link "
         "naar het e-mailadres van het account gestuurd; je kunt ook een "
         "nieuwe aanvragen.",
         "Välj ett nytt lösenord innan du loggar in. Vi har skickat en länk "
         "till kontots e-postadress; du kan också be om en ny.",
         "Pilih kata laluan baharu sebelum anda log masuk. Kami telah "
         "menghantar pautan ke alamat e-mel akaun; anda juga boleh meminta "
         "pautan baharu."},
    [W_ENDED_TEXT] = {"Your membership has ended, so this account can no "
                      "longer sign in a TV.",
                      "Dit medlemskab er udløbet, så denne konto kan ikke "
                      "længere logge et tv ind.",
                      "Je lidmaatschap is beëindigd, dus met dit account kun "
                      "je geen tv meer laten inloggen.",
                      "Ditt medlemskap har upphört, så det här kontot kan "
                      "inte längre logga in en tv.",
                      "Keahlian anda telah tamat, jadi akaun ini tidak lagi "
                      "boleh log masuk pada TV."},
    [W_TV_STALE_TITLE] = {"This sign-in has expired", "Dette login er udløbet",
                          "Deze aanmelding is verlopen",
                          "Den här inloggningen har gått ut",
                          "Log masuk ini telah tamat tempoh"},
    [W_TV_STALE_TEXT] =
        {"It took too long, or this page was already used. Start again with "
         "the code on the TV.",
         "Det tog for lang tid, eller siden er allerede brugt. Start forfra "
         "med koden på tv'et.",
         "Het duurde te lang, of deze pagina is al gebruikt. Begin opnieuw "
         "met de code op de tv.",
         "Det tog för lång tid, eller så har sidan redan använts. Börja om "
         "med koden på tv:n.",
         "Ia mengambil masa terlalu lama, atau halaman ini telah digunakan. "
         "Mulakan semula dengan kod pada TV."},
    [W_START_AGAIN] = {"Start again", "Start forfra", "Opnieuw beginnen",
                       "Börja om", "Mulakan semula"},
    [W_APPROVE_TITLE] = {"Sign in the TV?", "Log tv'et ind?",
                         "De tv laten inloggen?", "Logga in tv:n?",
                         "Log masuk pada TV?"},
    [W_APPROVE_TEXT] =
        {"The TV will be signed in to the account %s. Approve only if the "
         "code below is the one the TV shows in front of you.",
         "Tv'et bliver logget ind på kontoen %s. Godkend kun, hvis koden "
         "nedenfor er den, tv'et foran dig viser.",
         "De tv wordt ingelogd op het account %s. Keur alleen goed als de "
         "code hieronder de code is die de tv voor je toont.",
         "Tv:n loggas in på kontot %s. Godkänn bara om koden nedan är den som "
         "tv:n framför dig visar.",
         "TV akan dilog masuk ke akaun %s. Luluskan hanya jika kod di bawah "
         "ialah kod yang dipaparkan oleh TV di hadapan anda."},
    [W_APPROVE] = {"Approve", "Godkend", "Goedkeuren", "Godkänn", "Luluskan"},
    [W_DENY] = {"Deny", "Afvis", "Weigeren", "Neka", "Tolak"},
    [W_APPROVED_TITLE] = {"The TV is signed in", "Tv'et er logget ind",
                          "De tv is ingelogd", "Tv:n är inloggad",
                          "TV telah dilog masuk"},
    [W_APPROVED_TEXT] = {"You can close this page. To sign the TV out, sign "
                         "out of all devices.",
                         "Du kan lukke denne side. Log ud af alle enheder for "
                         "at logge tv'et ud.",
                         "Je kunt deze pagina sluiten. Log uit op alle "
                         "apparaten om de tv uit te loggen.",
                         "Du kan stänga den här sidan. Logga ut från alla "
                         "enheter för att logga ut tv:n.",
                         "Anda boleh menutup halaman ini. Untuk melog keluar "
                         "TV, log keluar daripada semua peranti."},
    [W_DENIED_TITLE] = {"Sign-in refused", "Login afvist",
                        "Inloggen geweigerd", "Inloggningen nekades",
                        "Log masuk ditolak"},
    [W_DENIED_TEXT] = {"The TV was not signed in.",
                       "Tv'et blev ikke logget ind.",
                       "De tv is niet ingelogd.", "Tv:n loggades inte in.",
                       "TV tidak dilog masuk."},
    [W_DEVICE_UNKNOWN] =
        {"No TV is waiting with this sign-in code. Check the code on the TV: "
         "it expires after a few minutes.",
         "Intet tv venter med denne loginkode. Tjek koden på tv'et: den "
         "udløber efter nogle minutter.",
         "Er wacht geen tv met deze inlogcode. Controleer de code op de tv: "
         "hij verloopt na een paar minuten.",
         "Ingen tv väntar med den här inloggningskoden. Kontrollera koden på "
         "tv:n: den går ut efter några minuter.",
         "Tiada TV yang menunggu dengan kod log masuk ini. Semak kod pada TV: "
         "kod itu tamat tempoh selepas beberapa minit."},
    [W_DEVICE_RATE] =
        {"Too many wrong sign-in codes. Wait 15 minutes, then start again.",
         "For mange forkerte loginkoder. Vent 15 minutter, og start så "
         "forfra.",
         "Te veel verkeerde inlogcodes. Wacht 15 minuten en begin dan "
         "opnieuw.",
         "För många felaktiga inloggningskoder. Vänta 15 minuter och börja "
         "sedan om.",
         "Terlalu banyak kod log masuk yang salah. Tunggu 15 minit, kemudian "
         "mulakan semula."},
    [W_TV_FORGOT] =
        {"Forgot your password, or locked out? Choose a new password",
         "Har du glemt din adgangskode, eller er du låst ude? Vælg en ny "
         "adgangskode",
         "Wachtwoord vergeten of buitengesloten? Kies een nieuw wachtwoord",
         "Har du glömt lösenordet eller är du utelåst? Välj ett nytt lösenord",
         "Terlupa kata laluan, atau disekat? Pilih kata laluan baharu"},
    [W_ISLOCKED_TITLE] = {"Your account is locked", "Din konto er låst",
                          "Je account is geblokkeerd", "Ditt konto är låst",
                          "Akaun anda disekat"},
    [W_ISLOCKED_TEXT] =
        {"For your security, this account is locked after too many wrong "
         "answers. Choose a new password to open it again.",
         "Af sikkerhedshensyn er kontoen låst efter for mange forkerte svar. "
         "Vælg en ny adgangskode for at åbne den igen.",
         "Voor je veiligheid is dit account geblokkeerd na te veel verkeerde "
         "antwoorden. Kies een nieuw wachtwoord om het weer te openen.",
         "För din säkerhet är kontot låst efter för många felaktiga svar. "
         "Välj ett nytt lösenord för att öppna det igen.",
         "Demi keselamatan anda, akaun ini disekat selepas terlalu banyak "
         "jawapan salah. Pilih kata laluan baharu untuk membukanya semula."},
};

static int lang_index(const char *lang)
{
  int i;

  for(i = 0; lang && i < WEB_LANGS; i++)
    if(!strcmp(lang, web_langs[i]))
      return i;
  return -1;
}

const char *web_lang_known(const char *lang)
{
  int i = lang_index(lang);

  return i < 0 ? NULL : web_langs[i];
}

const char *web_text_get(const char *lang, web_text t)
{
  int i = lang_index(lang);

  if(t < 0 || t >= W_COUNT)
    return "";
  return texts[t][i < 0 ? 0 : i];
}

void web_text_fill(char *buf, size_t len, const char *fmt, const char *value)
{
  const char *at = strstr(fmt, "%s");

  if(!at)
    snprintf(buf, len, "%s", fmt);
  else
    snprintf(buf, len, "%.*s%s%s", (int)(at - fmt), fmt, value, at + 2);
}

/* q of ";q=0.5" (1000 for 1.0), or 1000 when absent; -1 when malformed. */
static int qvalue(const char *p, const char *end)
{
  int q = 0, digits = 0;

  while(p < end && (*p == ' ' || *p == ';'))
    p++;
  if(p == end)
    return 1000;
  if(end - p < 3 || (p[0] != 'q' && p[0] != 'Q') || p[1] != '=')
    return -1;
  p += 2;
  if(*p == '1')
    return 1000;
  if(*p != '0')
    return -1;
  p++;
  if(p < end && *p == '.')
    for(p++; p < end && digits < 3 && *p >= '0' && *p <= '9'; p++, digits++)
      q = q * 10 + (*p - '0');
  while(digits++ < 3)
    q *= 10;
  return q;
}

const char *web_lang_accept(const char *header)
{
  const char *p = header, *end, *semi, *dash;
  const char *best = "en";
  int bestq = 0, q, i;
  char tag[9];
  size_t len;

  for(i = 0; p && *p && i < 32; i++) {
    while(*p == ' ' || *p == ',')
      p++;
    end = strchr(p, ',');
    if(!end)
      end = p + strlen(p);
    semi = memchr(p, ';', (size_t)(end - p));
    dash = memchr(p, '-', (size_t)((semi ? semi : end) - p));
    len = (size_t)((dash ? dash : semi ? semi : end) - p);
    while(len && p[len - 1] == ' ')
      len--;
    q = qvalue(semi ? semi : end, end);
    if(len && len < sizeof(tag) && q > bestq) {
      memcpy(tag, p, len);
      tag[len] = '\0';
      for(size_t k = 0; k < len; k++)
        tag[k] = (char)(tag[k] >= 'A' && tag[k] <= 'Z' ? tag[k] + 32 : tag[k]);
      if(lang_index(tag) >= 0) {
        best = web_langs[lang_index(tag)];
        bestq = q;
      }
    }
    p = end;
  }
  return best;
}
