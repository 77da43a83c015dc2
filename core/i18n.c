/*
 * i18n.c - every text a person reads at a prompt, in the five languages
 * members use (en da nl sv ms; terms from shared/GLOSSARY.md).  English is
 * the fallback for a missing language or entry.  Texts that take an
 * argument hold exactly the conversion the id's comment in vouch.h names;
 * a unit test checks that every translation agrees with English.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vouch.h"
#include "store.h"

enum { L_EN, L_DA, L_NL, L_SV, L_MS, L_COUNT };

static const char *const langs[L_COUNT] = {"en", "da", "nl", "sv", "ms"};

static const char *const texts[VOUCH_MSG_COUNT][L_COUNT] = {
    [VOUCH_MSG_PASSWORD_PROMPT] = {"Password: ", "Adgangskode: ",
                                   "Wachtwoord: ", "L\u00f6senord: ",
                                   "Kata laluan: "},
    [VOUCH_MSG_CURRENT_PASSWORD] =
        {"Current password: ", "Nuv\u00e6rende adgangskode: ",
         "Huidig wachtwoord: ", "Nuvarande l\u00f6senord: ",
         "Kata laluan semasa: "},
    [VOUCH_MSG_NEW_PASSWORD] = {"New password: ", "Ny adgangskode: ",
                                "Nieuw wachtwoord: ", "Nytt l\u00f6senord: ",
                                "Kata laluan baharu: "},
    [VOUCH_MSG_RETYPE_PASSWORD] =
        {"Retype new password: ", "Gentag ny adgangskode: ",
         "Herhaal nieuw wachtwoord: ", "Upprepa nytt l\u00f6senord: ",
         "Taip semula kata laluan baharu: "},
    [VOUCH_MSG_PW_MISMATCH] =
        {"The passwords do not match. Your password was not changed.",
         "Adgangskoderne er ikke ens. Din adgangskode blev ikke \u00e6ndret.",
         "De wachtwoorden komen niet overeen. Je wachtwoord is niet "
         "gewijzigd.",
         "L\u00f6senorden st\u00e4mmer inte \u00f6verens. Ditt l\u00f6senord "
         "\u00e4ndrades inte.",
         "Kata laluan tidak sepadan. Kata laluan anda tidak ditukar."},
    [VOUCH_MSG_PW_SHORT] =
        {"Your password must have at least %u characters.",
         "Din adgangskode skal have mindst %u tegn.",
         "Je wachtwoord moet minstens %u tekens bevatten.",
         "Ditt l\u00f6senord m\u00e5ste ha minst %u tecken.",
         "Kata laluan anda mesti mempunyai sekurang-kurangnya %u aksara."},
    [VOUCH_MSG_PW_LONG] =
        {"Your password is too long: at most %u bytes are allowed.",
         "Din adgangskode er for lang: h\u00f8jst %u byte er tilladt.",
         "Je wachtwoord is te lang: maximaal %u bytes zijn toegestaan.",
         "Ditt l\u00f6senord \u00e4r f\u00f6r l\u00e5ngt: h\u00f6gst %u byte "
         "\u00e4r till\u00e5tet.",
         "Kata laluan anda terlalu panjang: maksimum %u bait dibenarkan."},
    [VOUCH_MSG_PW_REUSED] =
        {"Your new password may not be the same as your previous password.",
         "Din nye adgangskode m\u00e5 ikke v\u00e6re den samme som din "
         "tidligere adgangskode.",
         "Je nieuwe wachtwoord mag niet hetzelfde zijn als je vorige "
         "wachtwoord.",
         "Ditt nya l\u00f6senord f\u00e5r inte vara samma som ditt tidigare "
         "l\u00f6senord.",
         "Kata laluan baharu anda tidak boleh sama dengan kata laluan anda "
         "sebelum ini."},
    [VOUCH_MSG_PW_INVALID] =
        {"Your password contains characters that are not allowed.",
         "Din adgangskode indeholder tegn, der ikke er tilladt.",
         "Je wachtwoord bevat tekens die niet zijn toegestaan.",
         "Ditt l\u00f6senord inneh\u00e5ller tecken som inte \u00e4r "
         "till\u00e5tna.",
         "Kata laluan anda mengandungi aksara yang tidak dibenarkan."},
    [VOUCH_MSG_PW_CHANGED] = {"Your password was changed.",
                              "Din adgangskode blev \u00e6ndret.",
                              "Je wachtwoord is gewijzigd.",
                              "Ditt l\u00f6senord har \u00e4ndrats.",
                              "Kata laluan anda telah ditukar."},
    [VOUCH_MSG_LOCKED] =
        {"Password reset required. For your security this account is locked "
         "until the password is reset. Check your email for instructions.",
         "Nulstilling af adgangskode p\u00e5kr\u00e6vet. Af hensyn til din "
         "sikkerhed er kontoen l\u00e5st, indtil adgangskoden er nulstillet. "
         "Se din e-mail for at f\u00e5 instruktioner.",
         "Wachtwoord opnieuw instellen vereist. Voor je veiligheid is dit "
         "account geblokkeerd totdat het wachtwoord opnieuw is ingesteld. "
         "Kijk in je e-mail voor instructies.",
         "L\u00f6senords\u00e5terst\u00e4llning kr\u00e4vs. F\u00f6r din "
         "s\u00e4kerhet \u00e4r kontot l\u00e5st tills l\u00f6senordet har "
         "\u00e5terst\u00e4llts. Se din e-post f\u00f6r instruktioner.",
         "Tetapan semula kata laluan diperlukan. Demi keselamatan anda, akaun "
         "ini dikunci sehingga kata laluan ditetapkan semula. Semak e-mel "
         "anda untuk arahan."},
    [VOUCH_MSG_RESET_REQUIRED] =
        {"You must choose a new password now.",
         "Du skal v\u00e6lge en ny adgangskode nu.",
         "Je moet nu een nieuw wachtwoord kiezen.",
         "Du m\u00e5ste v\u00e4lja ett nytt l\u00f6senord nu.",
         "Anda mesti memilih kata laluan baharu sekarang."},
    [VOUCH_MSG_RESET_ELSEWHERE] =
        {"You must choose a new password before you can sign in. Reset your "
         "password, then sign in again.",
         "Du skal v\u00e6lge en ny adgangskode, f\u00f8r du kan logge ind. "
         "Nulstil din adgangskode, og log derefter ind igen.",
         "Je moet een nieuw wachtwoord kiezen voordat je kunt inloggen. "
         "Stel je wachtwoord opnieuw in en log daarna opnieuw in.",
         "Du m\u00e5ste v\u00e4lja ett nytt l\u00f6senord innan du kan "
         "logga in. \u00c5terst\u00e4ll ditt l\u00f6senord och logga "
         "sedan in igen.",
         "Anda mesti memilih kata laluan baharu sebelum boleh log masuk. "
         "Tetapkan semula kata laluan anda, kemudian log masuk semula."},
    [VOUCH_MSG_EXPIRED] =
        {"Your membership ended on %s. Restart your membership to sign in "
         "again.",
         "Dit medlemskab sluttede den %s. Genstart dit medlemskab for at "
         "logge "
         "ind igen.",
         "Je lidmaatschap is be\u00ebindigd op %s. Start je lidmaatschap "
         "opnieuw om weer in te loggen.",
         "Ditt medlemskap avslutades den %s. Starta om ditt medlemskap "
         "f\u00f6r "
         "att logga in igen.",
         "Keahlian anda tamat pada %s. Mulakan semula keahlian anda untuk log "
         "masuk semula."},
    [VOUCH_MSG_CHANNEL_PROMPT] =
        {"Security check. How should we send your code? %s: ",
         "Sikkerhedskontrol. Hvordan skal vi sende din kode? %s: ",
         "Beveiligingscontrole. Hoe moeten we je code versturen? %s: ",
         "S\u00e4kerhetskontroll. Hur ska vi skicka din kod? %s: ",
         "Semakan keselamatan. Bagaimanakah kami patut menghantar kod anda? "
         "%s: "},
    [VOUCH_MSG_CHANNEL_EMAIL] = {"email to %s", "e-mail til %s",
                                 "e-mail naar %s", "e-post till %s",
                                 "e-mel ke %s"},
    [VOUCH_MSG_CHANNEL_SMS] = {"SMS to %s", "sms til %s", "sms naar %s",
                               "sms till %s", "SMS ke %s"},
    [VOUCH_MSG_TRY_ANOTHER] = {"Try another way",
                               "Pr\u00f8v p\u00e5 en anden m\u00e5de",
                               "Probeer het op een andere manier",
                               "F\u00f6rs\u00f6k p\u00e5 ett annat s\u00e4tt",
                               "Cuba cara lain"},
    [VOUCH_MSG_CODE_PROMPT] =
        {"Security check. Enter the %u-digit code we sent to %s "
         "(r: Send code again, a: Try another way): ",
         "Sikkerhedskontrol. Indtast den %u-cifrede kode, vi sendte til %s "
         "(r: Send koden igen, a: Pr\u00f8v p\u00e5 en anden m\u00e5de): ",
         "Beveiligingscontrole. Voer de %u-cijferige code in die we naar %s "
         "hebben gestuurd (r: Code opnieuw verzenden, a: Probeer het op een "
         "andere manier): ",
         "S\u00e4kerhetskontroll. Ange den %u-siffriga kod som vi skickade "
         "till %s (r: Skicka koden igen, a: F\u00f6rs\u00f6k p\u00e5 ett "
         "annat s\u00e4tt): ",
         "Semakan keselamatan. Masukkan kod %u digit yang kami hantar ke %s "
         "(r: Hantar kod semula, a: Cuba cara lain): "},
    [VOUCH_MSG_CODE_RESENT] = {"We sent a new code to %s.",
                               "Vi har sendt en ny kode til %s.",
                               "We hebben een nieuwe code naar %s gestuurd.",
                               "Vi har skickat en ny kod till %s.",
                               "Kami telah menghantar kod baharu ke %s."},
    [VOUCH_MSG_CODE_WRONG] =
        {"That code is not right. Check the code and try again.",
         "Koden er ikke korrekt. Kontroller koden, og pr\u00f8v igen.",
         "Die code klopt niet. Controleer de code en probeer het opnieuw.",
         "Koden st\u00e4mmer inte. Kontrollera koden och f\u00f6rs\u00f6k "
         "igen.",
         "Kod itu tidak betul. Semak kod dan cuba lagi."},
    [VOUCH_MSG_CODE_STALE] =
        {"That code has expired or was already used. Type r to get a new "
         "code.",
         "Koden er udl\u00f8bet eller allerede brugt. Skriv r for at f\u00e5 "
         "en ny kode.",
         "Die code is verlopen of al gebruikt. Typ r voor een nieuwe code.",
         "Koden har g\u00e5tt ut eller redan anv\u00e4nts. Skriv r f\u00f6r "
         "att f\u00e5 en ny kod.",
         "Kod itu telah tamat tempoh atau sudah digunakan. Taip r untuk "
         "mendapatkan kod baharu."},
    [VOUCH_MSG_CODE_RATE] =
        {"Please wait a moment before asking for another code.",
         "Vent et \u00f8jeblik, f\u00f8r du beder om en ny kode.",
         "Wacht even voordat je een nieuwe code aanvraagt.",
         "V\u00e4nta en stund innan du ber om en ny kod.",
         "Sila tunggu sebentar sebelum meminta kod lain."},
    [VOUCH_MSG_CODE_FORMAT] =
        {"Enter the %u digits of the code, r to send it again, or a to try "
         "another way.",
         "Indtast kodens %u cifre, r for at sende den igen eller a for at "
         "pr\u00f8ve p\u00e5 en anden m\u00e5de.",
         "Voer de %u cijfers van de code in, r om hem opnieuw te verzenden of "
         "a om het op een andere manier te proberen.",
         "Ange kodens %u siffror, r f\u00f6r att skicka den igen eller a "
         "f\u00f6r att f\u00f6rs\u00f6ka p\u00e5 ett annat s\u00e4tt.",
         "Masukkan %u digit kod, r untuk menghantarnya semula, atau a untuk "
         "cuba cara lain."},
    [VOUCH_MSG_SEND_FAILED] =
        {"We could not send you a code right now. Try another way.",
         "Vi kunne ikke sende dig en kode lige nu. Pr\u00f8v p\u00e5 en "
         "anden m\u00e5de.",
         "We konden je nu geen code sturen. Probeer het op een andere "
         "manier.",
         "Vi kunde inte skicka en kod till dig just nu. F\u00f6rs\u00f6k "
         "p\u00e5 ett annat s\u00e4tt.",
         "Kami tidak dapat menghantar kod kepada anda sekarang. Cuba cara "
         "lain."},
    [VOUCH_MSG_NO_METHOD] =
        {"This account has no way set up to receive a code. Try another "
         "way.",
         "Denne konto har ingen m\u00e5de at modtage en kode p\u00e5. "
         "Pr\u00f8v p\u00e5 en anden m\u00e5de.",
         "Voor dit account is geen manier ingesteld om een code te ontvangen. "
         "Probeer het op een andere manier.",
         "Det h\u00e4r kontot har inget s\u00e4tt att ta emot en kod. "
         "F\u00f6rs\u00f6k p\u00e5 ett annat s\u00e4tt.",
         "Akaun ini tidak mempunyai cara untuk menerima kod. Cuba cara "
         "lain."},
    [VOUCH_MSG_CARD_PROMPT] =
        {"Security check. Enter the full number of your card ending in %s "
         "(a: Try another way): ",
         "Sikkerhedskontrol. Indtast hele kortnummeret p\u00e5 dit kort, der "
         "slutter p\u00e5 %s (a: Pr\u00f8v p\u00e5 en anden m\u00e5de): ",
         "Beveiligingscontrole. Voer het volledige kaartnummer in van je "
         "kaart "
         "die eindigt op %s (a: Probeer het op een andere manier): ",
         "S\u00e4kerhetskontroll. Ange hela kortnumret f\u00f6r ditt kort som "
         "slutar p\u00e5 %s (a: F\u00f6rs\u00f6k p\u00e5 ett annat "
         "s\u00e4tt): ",
         "Semakan keselamatan. Masukkan nombor kad penuh bagi kad anda yang "
         "berakhir dengan %s (a: Cuba cara lain): "},
    [VOUCH_MSG_CARD_WRONG] =
        {"That card number does not match the card on file.",
         "Kortnummeret passer ikke til det kort, vi har registreret.",
         "Dat kaartnummer komt niet overeen met de geregistreerde kaart.",
         "Kortnumret st\u00e4mmer inte med det registrerade kortet.",
         "Nombor kad itu tidak sepadan dengan kad dalam rekod."},
    [VOUCH_MSG_CARD_FORMAT] =
        {"Enter the whole card number: 12 to 19 digits (spaces and dashes "
         "are fine).",
         "Indtast hele kortnummeret: 12 til 19 cifre (mellemrum og "
         "bindestreger er i orden).",
         "Voer het volledige kaartnummer in: 12 tot 19 cijfers (spaties en "
         "streepjes mogen).",
         "Ange hela kortnumret: 12 till 19 siffror (mellanslag och "
         "bindestreck g\u00e5r bra).",
         "Masukkan nombor kad penuh: 12 hingga 19 digit (ruang dan sengkang "
         "dibenarkan)."},
    [VOUCH_MSG_CARD_LUHN] =
        {"That is not a valid card number. Check the digits and try again.",
         "Det er ikke et gyldigt kortnummer. Kontroller cifrene, og "
         "pr\u00f8v igen.",
         "Dat is geen geldig kaartnummer. Controleer de cijfers en probeer "
         "het opnieuw.",
         "Det \u00e4r inte ett giltigt kortnummer. Kontrollera siffrorna och "
         "f\u00f6rs\u00f6k igen.",
         "Itu bukan nombor kad yang sah. Semak digit dan cuba lagi."},
    /* Device sign-in: GLOSSARY "sign-in code". */
    [VOUCH_MSG_DEVICE_CODE] = {"Your sign-in code: %s", "Din loginkode: %s",
                               "Je inlogcode: %s", "Din inloggningskod: %s",
                               "Kod log masuk anda: %s"},
    [VOUCH_MSG_DEVICE_HOW] =
        {"To sign in, run \"vouch-account approve\" on a device where you "
         "are signed in and enter %s.",
         "Log ind ved at k\u00f8re \"vouch-account approve\" p\u00e5 en "
         "enhed, hvor du er logget ind, og indtaste %s.",
         "Log in door \"vouch-account approve\" uit te voeren op een "
         "apparaat waarop je bent ingelogd en %s in te voeren.",
         "Logga in genom att k\u00f6ra \"vouch-account approve\" p\u00e5 "
         "en enhet d\u00e4r du \u00e4r inloggad och ange %s.",
         "Untuk log masuk, jalankan \"vouch-account approve\" pada peranti "
         "yang anda telah log masuk dan masukkan %s."},
    [VOUCH_MSG_WAYS_PROMPT] =
        {"Security check. Choose another way: %s: ",
         "Sikkerhedskontrol. V\u00e6lg en anden m\u00e5de: %s: ",
         "Beveiligingscontrole. Kies een andere manier: %s: ",
         "S\u00e4kerhetskontroll. V\u00e4lj ett annat s\u00e4tt: %s: ",
         "Semakan keselamatan. Pilih cara lain: %s: "},
    [VOUCH_MSG_WAY_CARD] = {"card number ending in %s",
                            "kortnummer, der slutter p\u00e5 %s",
                            "kaartnummer eindigend op %s",
                            "kortnummer som slutar p\u00e5 %s",
                            "nombor kad berakhir dengan %s"},
    [VOUCH_MSG_DEV_COLUMNS] =
        {"STARTED\tENDED\tSERVICE\tTTY\tFROM",
         "STARTET\tSLUTTET\tTJENESTE\tTTY\tFRA",
         "GESTART\tBE\u00cbINDIGD\tDIENST\tTTY\tVANAF",
         "STARTAD\tAVSLUTAD\tTJ\u00c4NST\tTTY\tFR\u00c5N",
         "DIMULAKAN\tTAMAT\tPERKHIDMATAN\tTTY\tDARI"},
    [VOUCH_MSG_DEV_OPEN] = {"open", "\u00e5ben", "actief", "\u00f6ppen",
                            "terbuka"},
    [VOUCH_MSG_DEV_SIGNED_OUT] = {" (signed out)", " (logget ud)",
                                  " (uitgelogd)", " (utloggad)",
                                  " (telah dilog keluar)"},
    [VOUCH_MSG_DEV_NONE] = {"No sessions recorded.",
                            "Ingen sessioner registreret.",
                            "Geen sessies geregistreerd.",
                            "Inga sessioner registrerade.",
                            "Tiada sesi direkodkan."},
    [VOUCH_MSG_DEVICE_ASK] = {"Sign-in code shown on the device: ",
                              "Loginkode, der vises p\u00e5 enheden: ",
                              "Inlogcode op het apparaat: ",
                              "Inloggningskod som visas p\u00e5 enheten: ",
                              "Kod log masuk yang dipaparkan pada peranti: "},
    [VOUCH_MSG_CHOICE_INVALID] =
        {"Please choose one of the listed ways.",
         "V\u00e6lg en af de viste m\u00e5der.",
         "Kies een van de genoemde manieren.",
         "V\u00e4lj ett av s\u00e4tten i listan.",
         "Sila pilih salah satu cara yang disenaraikan."},
    [VOUCH_MSG_DEVICE_URL] =
        {"Or open %s on your phone or computer.",
         "Eller \u00e5bn %s p\u00e5 din telefon eller computer.",
         "Of open %s op je telefoon of computer.",
         "Eller \u00f6ppna %s p\u00e5 din telefon eller dator.",
         "Atau buka %s pada telefon atau komputer anda."},
    [VOUCH_MSG_DEVICE_DENIED] =
        {"The sign-in was refused on your other device.",
         "Login blev afvist p\u00e5 din anden enhed.",
         "Het inloggen is geweigerd op je andere apparaat.",
         "Inloggningen nekades p\u00e5 din andra enhet.",
         "Log masuk telah ditolak pada peranti anda yang lain."},
    [VOUCH_MSG_DEVICE_EXPIRED] =
        {"The sign-in code has expired. Start again to get a new code.",
         "Loginkoden er udl\u00f8bet. Start forfra for at f\u00e5 en ny "
         "kode.",
         "De inlogcode is verlopen. Begin opnieuw voor een nieuwe code.",
         "Inloggningskoden har g\u00e5tt ut. B\u00f6rja om f\u00f6r att "
         "f\u00e5 en ny kod.",
         "Kod log masuk telah tamat tempoh. Mula semula untuk mendapatkan "
         "kod baharu."},
    /* vouch-account: GLOSSARY "sign out of all devices", "finish
     * cancellation". */
    [VOUCH_MSG_SIGNOUT_ASK] = {"Sign out of all devices? [y/N] ",
                               "Log ud af alle enheder? [j/N] ",
                               "Uitloggen op alle apparaten? [j/N] ",
                               "Logga ut fr\u00e5n alla enheter? [j/N] ",
                               "Log keluar daripada semua peranti? [y/N] "},
    [VOUCH_MSG_CANCEL_ASK] = {"Finish cancellation? [y/N] ",
                              "Afslut opsigelse? [j/N] ",
                              "Opzegging voltooien? [j/N] ",
                              "Slutf\u00f6r avslutningen? [j/N] ",
                              "Selesai pembatalan? [y/N] "},
    [VOUCH_MSG_CONFIRM_PROMPT] =
        {"Enter the %u-digit code we sent to %s (r: Send code again): ",
         "Indtast den %u-cifrede kode, vi sendte til %s (r: Send koden "
         "igen): ",
         "Voer de %u-cijferige code in die we naar %s hebben gestuurd (r: "
         "Code opnieuw verzenden): ",
         "Ange den %u-siffriga koden som vi skickade till %s (r: Skicka "
         "koden igen): ",
         "Masukkan kod %u digit yang kami hantar ke %s (r: Hantar kod "
         "semula): "},
    [VOUCH_MSG_CODE_PROMPT_ONLY] =
        {"Security check. Enter the %u-digit code we sent to %s "
         "(r: Send code again): ",
         "Sikkerhedskontrol. Indtast den %u-cifrede kode, vi sendte til %s "
         "(r: Send koden igen): ",
         "Beveiligingscontrole. Voer de %u-cijferige code in die we naar %s "
         "hebben gestuurd (r: Code opnieuw verzenden): ",
         "S\u00e4kerhetskontroll. Ange den %u-siffriga kod som vi skickade "
         "till %s (r: Skicka koden igen): ",
         "Semakan keselamatan. Masukkan kod %u digit yang kami hantar ke %s "
         "(r: Hantar kod semula): "},
    [VOUCH_MSG_CODE_REOFFER] =
        {"Security check. We already sent a code to %s at %s. Enter it, or "
         "type r to send a new one (a: Try another way): ",
         "Sikkerhedskontrol. Vi har allerede sendt en kode til %s kl. %s. "
         "Indtast den, eller skriv r for at sende en ny (a: Pr\u00f8v "
         "p\u00e5 en anden m\u00e5de): ",
         "Beveiligingscontrole. We hebben al een code naar %s gestuurd om "
         "%s. Voer die in, of typ r om een nieuwe te verzenden (a: Probeer "
         "het op een andere manier): ",
         "S\u00e4kerhetskontroll. Vi har redan skickat en kod till %s "
         "kl. %s. Ange den, eller skriv r f\u00f6r att skicka en ny "
         "(a: F\u00f6rs\u00f6k p\u00e5 ett annat s\u00e4tt): ",
         "Semakan keselamatan. Kami telah menghantar kod ke %s pada pukul "
         "%s. Masukkan kod itu, atau taip r untuk menghantar kod baharu "
         "(a: Cuba cara lain): "},
    [VOUCH_MSG_CODE_REOFFER_ONLY] =
        {"Security check. We already sent a code to %s at %s. Enter it, or "
         "type r to send a new one: ",
         "Sikkerhedskontrol. Vi har allerede sendt en kode til %s kl. %s. "
         "Indtast den, eller skriv r for at sende en ny: ",
         "Beveiligingscontrole. We hebben al een code naar %s gestuurd om "
         "%s. Voer die in, of typ r om een nieuwe te verzenden: ",
         "S\u00e4kerhetskontroll. Vi har redan skickat en kod till %s "
         "kl. %s. Ange den, eller skriv r f\u00f6r att skicka en ny: ",
         "Semakan keselamatan. Kami telah menghantar kod ke %s pada pukul "
         "%s. Masukkan kod itu, atau taip r untuk menghantar kod baharu: "},
    [VOUCH_MSG_CODE_FORMAT_ONLY] =
        {"Enter the %u digits of the code, or r to send it again.",
         "Indtast kodens %u cifre, eller r for at sende den igen.",
         "Voer de %u cijfers van de code in, of r om hem opnieuw te "
         "verzenden.",
         "Ange kodens %u siffror, eller r f\u00f6r att skicka den igen.",
         "Masukkan %u digit kod, atau r untuk menghantarnya semula."},
    [VOUCH_MSG_CODE_CAPPED] =
        {"You have asked for many codes in the last hour. You can ask for a "
         "new code at %s.",
         "Du har bedt om mange koder den seneste time. Du kan bede om en ny "
         "kode kl. %s.",
         "Je hebt het afgelopen uur veel codes aangevraagd. Je kunt om %s "
         "een nieuwe code aanvragen.",
         "Du har bett om m\u00e5nga koder den senaste timmen. Du kan be om "
         "en ny kod kl. %s.",
         "Anda telah meminta banyak kod dalam sejam yang lalu. Anda boleh "
         "meminta kod baharu pada pukul %s."},
    /* vouch-account: GLOSSARY "sign out", "cancel membership", "personal
     * information", "submit request / confirm request", the statuses. */
    [VOUCH_MSG_ACC_SIGNED_OUT_ONE] =
        {"Signed out of %u session.", "Du er logget ud af %u session.",
         "Je bent uitgelogd uit %u sessie.",
         "Du har loggats ut fr\u00e5n %u session.",
         "Anda telah dilog keluar daripada %u sesi."},
    [VOUCH_MSG_ACC_SIGNED_OUT_MANY] =
        {"Signed out of %u sessions.", "Du er logget ud af %u sessioner.",
         "Je bent uitgelogd uit %u sessies.",
         "Du har loggats ut fr\u00e5n %u sessioner.",
         "Anda telah dilog keluar daripada %u sesi."},
    [VOUCH_MSG_ACC_EMAIL_NOW] = {"Your email address is now %s.",
                                 "Din e-mailadresse er nu %s.",
                                 "Je e-mailadres is nu %s.",
                                 "Din e-postadress \u00e4r nu %s.",
                                 "Alamat e-mel anda kini %s."},
    [VOUCH_MSG_ACC_EMAIL_NOW_TOLD] =
        {"Your email address is now %s. Your previous address was told.",
         "Din e-mailadresse er nu %s. Vi har sendt besked til din tidligere "
         "adresse.",
         "Je e-mailadres is nu %s. We hebben een bericht naar je vorige "
         "adres gestuurd.",
         "Din e-postadress \u00e4r nu %s. Vi har skickat ett meddelande "
         "till din tidigare adress.",
         "Alamat e-mel anda kini %s. Kami telah menghantar pemberitahuan ke "
         "alamat anda yang sebelumnya."},
    [VOUCH_MSG_ACC_PHONE_NOW] = {"Your phone number is now %s.",
                                 "Dit telefonnummer er nu %s.",
                                 "Je telefoonnummer is nu %s.",
                                 "Ditt telefonnummer \u00e4r nu %s.",
                                 "Nombor telefon anda kini %s."},
    [VOUCH_MSG_ACC_PHONE_NOW_TOLD] =
        {"Your phone number is now %s. We also let you know at your email "
         "address.",
         "Dit telefonnummer er nu %s. Vi har ogs\u00e5 givet dig besked "
         "p\u00e5 din e-mailadresse.",
         "Je telefoonnummer is nu %s. We hebben je dit ook laten weten via "
         "je e-mailadres.",
         "Ditt telefonnummer \u00e4r nu %s. Vi har ocks\u00e5 meddelat dig "
         "via din e-postadress.",
         "Nombor telefon anda kini %s. Kami juga telah memaklumkan anda "
         "melalui alamat e-mel anda."},
    [VOUCH_MSG_ACC_CANCEL_PLAN] = {"Cancel your %s membership.",
                                   "Opsig dit %s-medlemskab.",
                                   "Zeg je %s-lidmaatschap op.",
                                   "Avsluta ditt %s-medlemskap.",
                                   "Batalkan keahlian %s anda."},
    [VOUCH_MSG_ACC_CANCEL_UNTIL] =
        {"You keep access until %s, the end of the billing period.",
         "Du beholder adgangen til og med %s, hvor faktureringsperioden "
         "slutter.",
         "Je houdt toegang tot en met %s, het einde van de "
         "factureringsperiode.",
         "Du beh\u00e5ller tillg\u00e5ngen till och med %s, d\u00e5 "
         "faktureringsperioden slutar.",
         "Anda masih mempunyai akses sehingga %s, iaitu akhir tempoh "
         "pengebilan."},
    [VOUCH_MSG_ACC_CANCEL_ERASE] =
        {"After that your personal information is removed.",
         "Derefter slettes dine personoplysninger.",
         "Daarna worden je persoonsgegevens verwijderd.",
         "D\u00e4refter raderas dina personuppgifter.",
         "Selepas itu, maklumat peribadi anda akan dipadamkan."},
    [VOUCH_MSG_ACC_CANCELLED] = {"Your membership has been cancelled.",
                                 "Dit medlemskab er opsagt.",
                                 "Je lidmaatschap is opgezegd.",
                                 "Ditt medlemskap har avslutats.",
                                 "Keahlian anda telah dibatalkan."},
    [VOUCH_MSG_ACC_CANCELLED_MAIL] =
        {"Your membership has been cancelled. A confirmation email is on its "
         "way.",
         "Dit medlemskab er opsagt. Du f\u00e5r snart en bekr\u00e6ftelse "
         "p\u00e5 e-mail.",
         "Je lidmaatschap is opgezegd. Je ontvangt binnenkort een "
         "bevestiging per e-mail.",
         "Ditt medlemskap har avslutats. Du f\u00e5r snart en "
         "bekr\u00e4ftelse via e-post.",
         "Keahlian anda telah dibatalkan. E-mel pengesahan akan dihantar "
         "kepada anda sebentar lagi."},
    [VOUCH_MSG_ACC_RESTORED] =
        {"Your membership is restored.", "Dit medlemskab er genoprettet.",
         "Je lidmaatschap is hersteld.",
         "Ditt medlemskap \u00e4r \u00e5terst\u00e4llt.",
         "Keahlian anda telah dipulihkan."},
    [VOUCH_MSG_ACC_UNCHANGED] = {"Nothing was changed.",
                                 "Intet blev \u00e6ndret.",
                                 "Er is niets gewijzigd.",
                                 "Ingenting har \u00e4ndrats.",
                                 "Tiada apa-apa yang diubah."},
    [VOUCH_MSG_ACC_EXPORT_SUBMITTED] =
        {"Request %lld submitted: confirm it with the token in the email we "
         "sent you.",
         "Anmodning %lld er sendt: bekr\u00e6ft den med tokenet i den "
         "e-mail, vi har sendt dig.",
         "Verzoek %lld is verzonden: bevestig het met het token in de e-mail "
         "die we je hebben gestuurd.",
         "Beg\u00e4ran %lld har skickats: bekr\u00e4fta den med den token "
         "som finns i e-postmeddelandet vi har skickat till dig.",
         "Permintaan %lld telah dihantar: sahkan permintaan itu dengan token "
         "dalam e-mel yang kami hantar kepada anda."},
    [VOUCH_MSG_ACC_EXPORT_CONFIRMED] =
        {"Request %lld confirmed: an email tells you when it is ready.",
         "Anmodning %lld er bekr\u00e6ftet: du f\u00e5r en e-mail, n\u00e5r "
         "dine personoplysninger er klar til download.",
         "Verzoek %lld is bevestigd: je krijgt een e-mail zodra je "
         "persoonsgegevens klaar zijn om te downloaden.",
         "Beg\u00e4ran %lld har bekr\u00e4ftats: du f\u00e5r ett "
         "e-postmeddelande n\u00e4r dina personuppgifter \u00e4r klara att "
         "ladda ner.",
         "Permintaan %lld telah disahkan: anda akan menerima e-mel apabila "
         "maklumat peribadi anda sedia untuk dimuat turun."},
    [VOUCH_MSG_ACC_EXPORT_COLUMNS] = {"ID\tCREATED\tSTATUS",
                                      "ID\tOPRETTET\tSTATUS",
                                      "ID\tAANGEMAAKT\tSTATUS",
                                      "ID\tSKAPAD\tSTATUS",
                                      "ID\tDIBUAT\tSTATUS"},
    [VOUCH_MSG_ACC_EXPORT_NONE] = {"No requests.", "Ingen anmodninger.",
                                   "Geen verzoeken.", "Inga beg\u00e4randen.",
                                   "Tiada permintaan."},
    [VOUCH_MSG_EXPORT_UNCONFIRMED] = {"Not yet confirmed",
                                      "Endnu ikke bekr\u00e6ftet",
                                      "Nog niet bevestigd",
                                      "Inte bekr\u00e4ftad \u00e4nnu",
                                      "Belum disahkan"},
    [VOUCH_MSG_EXPORT_IN_PROGRESS] = {"In progress", "I gang",
                                      "In behandeling", "P\u00e5g\u00e5r",
                                      "Sedang diproses"},
    [VOUCH_MSG_EXPORT_READY] = {"Ready", "Klar", "Klaar", "Klar", "Sedia"},
    [VOUCH_MSG_EXPORT_CANCELLED] = {"Cancelled", "Annulleret", "Geannuleerd",
                                    "Avbruten", "Dibatalkan"},
    [VOUCH_MSG_EXPORT_EXPIRED] = {"Expired", "Udl\u00f8bet", "Verlopen",
                                  "Utg\u00e5ngen", "Tamat tempoh"},
    [VOUCH_MSG_ACC_APPROVED] =
        {"Approved: the device signs in as %s.",
         "Godkendt: enheden bliver logget ind som %s.",
         "Goedgekeurd: het apparaat wordt ingelogd als %s.",
         "Godk\u00e4nt: enheten loggas in som %s.",
         "Diluluskan: peranti itu log masuk sebagai %s."},
    [VOUCH_MSG_ACC_REFUSED] = {"The sign-in was refused.",
                               "Login blev afvist.",
                               "Het inloggen is geweigerd.",
                               "Inloggningen nekades.",
                               "Log masuk telah ditolak."},
    [VOUCH_MSG_ACC_INTERRUPTED] = {"interrupted: nothing was changed",
                                   "afbrudt: intet blev \u00e6ndret",
                                   "onderbroken: er is niets gewijzigd",
                                   "avbrutet: ingenting har \u00e4ndrats",
                                   "dihentikan: tiada apa-apa yang diubah"},
    [VOUCH_MSG_ACC_RESET_FIRST] =
        {"choose a new password first: vouch-account password",
         "v\u00e6lg f\u00f8rst en ny adgangskode: vouch-account password",
         "kies eerst een nieuw wachtwoord: vouch-account password",
         "v\u00e4lj f\u00f6rst ett nytt l\u00f6senord: vouch-account "
         "password",
         "pilih kata laluan baharu dahulu: vouch-account password"},
    [VOUCH_MSG_ACC_CHECK_FAILED] =
        {"security check failed: nothing was changed",
         "sikkerhedskontrollen mislykkedes: intet blev \u00e6ndret",
         "beveiligingscontrole mislukt: er is niets gewijzigd",
         "s\u00e4kerhetskontrollen misslyckades: ingenting har \u00e4ndrats",
         "semakan keselamatan gagal: tiada apa-apa yang diubah"},
    [VOUCH_MSG_ACC_ANSWER_INVALID] =
        {"that answer cannot be used: it is longer than %u bytes or holds a "
         "NUL byte",
         "svaret kan ikke bruges: det er l\u00e6ngere end %u byte eller "
         "indeholder en NUL-byte",
         "dat antwoord is onbruikbaar: het is langer dan %u bytes of bevat "
         "een NUL-byte",
         "svaret kan inte anv\u00e4ndas: det \u00e4r l\u00e4ngre \u00e4n "
         "%u byte eller inneh\u00e5ller en NUL-byte",
         "jawapan itu tidak boleh digunakan: ia melebihi %u bait atau "
         "mengandungi bait NUL"},
    [VOUCH_MSG_ACC_EMAIL_INVALID] =
        {"invalid email address '%s': use the form name@example.org",
         "ugyldig e-mailadresse '%s': brug formen navn@example.org",
         "ongeldig e-mailadres '%s': gebruik de vorm naam@example.org",
         "ogiltig e-postadress '%s': anv\u00e4nd formen namn@example.org",
         "alamat e-mel tidak sah '%s': gunakan bentuk nama@example.org"},
    [VOUCH_MSG_ACC_PHONE_INVALID] =
        {"invalid phone number '%s': use E.164 form, e.g. +4512345678",
         "ugyldigt telefonnummer '%s': brug E.164-format, f.eks. "
         "+4512345678",
         "ongeldig telefoonnummer '%s': gebruik de E.164-notatie, bijv. "
         "+4512345678",
         "ogiltigt telefonnummer '%s': anv\u00e4nd E.164-format, t.ex. "
         "+4512345678",
         "nombor telefon tidak sah '%s': gunakan format E.164, cth. "
         "+4512345678"},
    [VOUCH_MSG_ACC_ON_FILE] = {"%s is already on file",
                               "%s er allerede registreret",
                               "%s is al geregistreerd",
                               "%s \u00e4r redan registrerad",
                               "%s sudah ada dalam rekod"},
    [VOUCH_MSG_ACC_NOT_SENT] = {"could not send a code to %s",
                                "kunne ikke sende en kode til %s",
                                "kon geen code naar %s sturen",
                                "kunde inte skicka en kod till %s",
                                "tidak dapat menghantar kod ke %s"},
    [VOUCH_MSG_ACC_NO_MEMBERSHIP] = {"you have no membership to cancel",
                                     "du har intet medlemskab at opsige",
                                     "je hebt geen lidmaatschap om op te "
                                     "zeggen",
                                     "du har inget medlemskap att avsluta",
                                     "anda tiada keahlian untuk dibatalkan"},
    [VOUCH_MSG_ACC_NOT_CANCELLED] = {"your membership is not cancelled",
                                     "dit medlemskab er ikke opsagt",
                                     "je lidmaatschap is niet opgezegd",
                                     "ditt medlemskap \u00e4r inte avslutat",
                                     "keahlian anda belum dibatalkan"},
    [VOUCH_MSG_ACC_ENDED] = {"your membership has already ended",
                             "dit medlemskab er allerede oph\u00f8rt",
                             "je lidmaatschap is al be\u00ebindigd",
                             "ditt medlemskap har redan upph\u00f6rt",
                             "keahlian anda telah pun tamat"},
    [VOUCH_MSG_ACC_IS_CANCELLED] = {"your membership is already cancelled",
                                    "dit medlemskab er allerede opsagt",
                                    "je lidmaatschap is al opgezegd",
                                    "ditt medlemskap \u00e4r redan avslutat",
                                    "keahlian anda telah pun dibatalkan"},
    [VOUCH_MSG_ACC_EXPORT_PENDING] =
        {"a request is already waiting or in progress",
         "en anmodning venter allerede eller er i gang",
         "er is al een verzoek dat wacht of in behandeling is",
         "en beg\u00e4ran v\u00e4ntar redan eller p\u00e5g\u00e5r",
         "permintaan lain sedang menunggu atau sedang diproses"},
    [VOUCH_MSG_ACC_EXPORT_NO_EMAIL] =
        {"no email address is on file",
         "der er ingen e-mailadresse registreret",
         "er is geen e-mailadres geregistreerd",
         "ingen e-postadress finns registrerad",
         "tiada alamat e-mel dalam rekod"},
    [VOUCH_MSG_ACC_EXPORT_NOT_SENT] =
        {"we could not send you the email: try again later",
         "vi kunne ikke sende dig e-mailen: pr\u00f8v igen senere",
         "we konden je de e-mail niet sturen: probeer het later opnieuw",
         "vi kunde inte skicka e-postmeddelandet till dig: f\u00f6rs\u00f6k "
         "igen senare",
         "kami tidak dapat menghantar e-mel kepada anda: cuba lagi nanti"},
    [VOUCH_MSG_ACC_TOKEN_MALFORMED] = {"malformed token", "ugyldigt token",
                                       "ongeldig token", "ogiltig token",
                                       "token tidak sah"},
    [VOUCH_MSG_ACC_TOKEN_NOTHING] =
        {"no request waits for confirmation",
         "ingen anmodning venter p\u00e5 bekr\u00e6ftelse",
         "er wacht geen verzoek op bevestiging",
         "ingen beg\u00e4ran v\u00e4ntar p\u00e5 bekr\u00e4ftelse",
         "tiada permintaan yang menunggu pengesahan"},
    [VOUCH_MSG_ACC_TOKEN_WRONG] = {"wrong password or token",
                                   "forkert adgangskode eller token",
                                   "onjuist wachtwoord of token",
                                   "fel l\u00f6senord eller token",
                                   "kata laluan atau token salah"},
    [VOUCH_MSG_ACC_CODE_INVALID] =
        {"invalid sign-in code '%s': 8 characters of %s, e.g. ABCD-EFGH",
         "ugyldig loginkode '%s': 8 tegn blandt %s, f.eks. ABCD-EFGH",
         "ongeldige inlogcode '%s': 8 tekens uit %s, bijv. ABCD-EFGH",
         "ogiltig inloggningskod '%s': 8 tecken av %s, t.ex. ABCD-EFGH",
         "kod log masuk tidak sah '%s': 8 aksara daripada %s, cth. "
         "ABCD-EFGH"},
    [VOUCH_MSG_ACC_CODE_UNKNOWN] =
        {"no device is waiting with that sign-in code",
         "ingen enhed venter med den loginkode",
         "er wacht geen apparaat met die inlogcode",
         "ingen enhet v\u00e4ntar med den inloggningskoden",
         "tiada peranti yang menunggu dengan kod log masuk itu"},
    [VOUCH_MSG_ACC_CODE_RATE] =
        {"too many wrong sign-in codes: try again in %d minutes",
         "for mange forkerte loginkoder: pr\u00f8v igen om %d minutter",
         "te veel onjuiste inlogcodes: probeer het over %d minuten opnieuw",
         "f\u00f6r m\u00e5nga felaktiga inloggningskoder: f\u00f6rs\u00f6k "
         "igen om %d minuter",
         "terlalu banyak kod log masuk yang salah: cuba lagi dalam %d "
         "minit"},
};

static int lang_index(const char *lang)
{
  int i;

  for(i = 0; lang && i < L_COUNT; i++)
    if(!strcmp(lang, langs[i]))
      return i;
  return L_EN;
}

const char *vouch_msg(const char *lang, vouch_msg_id id)
{
  const char *t;

  if((int)id < 0 || id >= VOUCH_MSG_COUNT)
    return "";
  t = texts[id][lang_index(lang)];
  return t ? t : texts[id][L_EN];
}

void vouch_msgf(char *buf, size_t len, const char *lang, vouch_msg_id id, ...)
{
  va_list ap;

  va_start(ap, id);
  /* The catalogue is constant and checked by tests/unit/test_i18n.c. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
  vsnprintf(buf, len, vouch_msg(lang, id), ap);
#pragma GCC diagnostic pop
  va_end(ap);
}

const char *vouch_user_lang(vouch_ctx *ctx, const char *user)
{
  vouch_user u = {0};
  vouch_store *st;
  int i = L_EN;

  if(user && vouch_valid_username(user) && !vouch_ctx_store(ctx, &st) &&
     !vouch_store_user_get(st, user, &u))
    i = lang_index(u.lang);
  vouch_user_clear(&u);
  return langs[i];
}
