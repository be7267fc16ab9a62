//! `resurs`: the command line. A thin shell: it parses arguments, calls the
//! use cases in `resurs-app`, and renders their results in Swedish.

mod belaggning;
mod drift;
mod ej_verkstallda;
mod kolada;
mod kpb;
mod kpb_brukare;
mod mal;
mod period;
mod personal;
mod produktivitet;
mod rapport;
mod render;

use anyhow::Context;
use clap::{Args, Parser, Subcommand, ValueEnum};
use resurs_app::import::{self, Kind, Outcome};
use resurs_app::{demo, gen};
use resurs_store::{DbLocation, Store};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const TEMPLATE: &str = "{about}\n\nAnvändning: {usage}\n\n{all-args}{after-help}";

#[derive(Parser)]
#[command(
    name = "resurs",
    version,
    about = "Resurs – resursfördelning och uppföljning för vård, omsorg och socialtjänst",
    help_template = TEMPLATE,
    disable_help_flag = true,
    disable_version_flag = true,
    disable_help_subcommand = true,
    subcommand_help_heading = "Kommandon",
    subcommand_value_name = "KOMMANDO",
    next_help_heading = "Flaggor"
)]
struct Cli {
    /// Databasen: en fil (SQLite) eller en adress postgres://… (PostgreSQL). Standard: $RESURS_DB eller
    /// resurs.db i arbetskatalogen.
    #[arg(long, global = true, value_name = "SÖKVÄG|URL")]
    db: Option<std::ffi::OsString>,
    /// Vem som gör ändringen, i händelseloggen (som cli:NAMN). Standard: operativsystemets användare ($USER, $LOGNAME).
    #[arg(long, global = true, value_name = "NAMN")]
    anvandare: Option<String>,
    /// Visa hjälp.
    #[arg(short = 'h', long, action = clap::ArgAction::Help, global = true)]
    help: Option<bool>,
    /// Visa version.
    #[arg(short = 'V', long, action = clap::ArgAction::Version)]
    version: Option<bool>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Visa vad databasen innehåller: antal per slag, perioder och hemtjänst per månad.
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor")]
    Info(InfoArgs),
    /// Importera en fil (CSV eller xlsx). Hela filen eller inget sparas.
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor")]
    Import(ImportArgs),
    /// Fyll databasen med demokommunen Exempelstad (deterministiskt per frö).
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor")]
    Demo(DemoArgs),
    /// Starta webbapplikationen (svenska sidor och JSON-API).
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor")]
    Serve(ServeArgs),
    /// Skriv en säkerhetskopia av databasen till en ny fil (medan den används).
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor")]
    Backup(BackupArgs),
    /// Återställ databasen från en säkerhetskopia (ersätter allt innehåll).
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor")]
    Restore(RestoreArgs),
    /// Användare av webbapplikationen: lägg till, byt lösenord eller roll, avaktivera, lista, API-nycklar.
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor", subcommand_help_heading = "Kommandon", subcommand_value_name = "KOMMANDO")]
    User {
        #[command(subcommand)]
        what: UserCommand,
    },
    /// Ersättningsmodeller: kontrollera, ladda, lista och visa.
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor", subcommand_help_heading = "Kommandon", subcommand_value_name = "KOMMANDO")]
    Model {
        #[command(subcommand)]
        what: ModelCommand,
    },
    /// Månadens avräkning per utförare och enhet ur lagrade volymer och modeller.
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor")]
    Settle(SettleArgs),
    /// Jämför två modellversioner på samma volymer för ett år, per enhet i tkr.
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor")]
    Scenario(ScenarioArgs),
    /// A conto: månadens förskott på förväntad beläggning och regleringen av förra månaden.
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor")]
    Acconto(PeriodArgs),
    /// Personlig assistans: kostnad mot Försäkringskassans ersättning, nettokostnad per timme
    /// och prognos för sexmånadersperiodens avräkning.
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor")]
    Assistans(PeriodArgs),
    /// IFO-placeringar per månad mot budget och break-even-antalet placeringar.
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor")]
    Placeringar(PlacementArgs),
    /// Månadsuppföljning för en nod i organisationsträdet (ner till konto): utfall, budget,
    /// avvikelse, prognos, i kostnads- eller resultatlayout.
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor")]
    Followup(FollowupArgs),
    /// Driftredovisning per kostnadsslag för en nod och period (resultatlayout): budget, utfall,
    /// avvikelse, förra årets utfall och förändring.
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor")]
    Driftredovisning(drift::DriftArgs),
    /// Avvikelseanalys: avvikelsen mellan budget och utfall per enhet med ersättningsmodell
    /// uppdelad i volym-, pris- och effektivitetseffekt (tkr), per avdelning och nämnd.
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor")]
    Avvikelse(drift::AvvikelseArgs),
    /// Kostnadsslag för driftredovisningen: ladda en versionerad grupperingsfil eller lista versionerna.
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor", subcommand_help_heading = "Kommandon", subcommand_value_name = "KOMMANDO")]
    Kostnadsslag {
        #[command(subcommand)]
        what: drift::KostnadsslagCommand,
    },
    /// Kostnad per brukare (KPB): styckkostnad per insats och enhet, kostnad per brukare,
    /// fördelning, ytterfall, ålder och kön; helår, år till dato eller en månads direkta kostnader.
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor")]
    Kpb(kpb::KpbArgs),
    /// Importera fördelningsnycklar för KPB (docs/format/fordelningsnycklar.md); ersätter de tidigare.
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor")]
    KpbNycklar {
        /// Filen (CSV med semikolon, UTF-8).
        #[arg(value_name = "FIL")]
        fil: PathBuf,
    },
    /// Nämndrapport som PDF, docx eller xlsx (månadsrapport, delårsrapport, årsredovisning):
    /// avsnitt enligt mall, analystexter, sparade rapportversioner.
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor")]
    Rapport(rapport::RapportArgs),
    /// Prognoser: förslag, manuella prognoser per nod med kommentar, versioner, jämförelse och prognossäkerhet.
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor", subcommand_help_heading = "Kommandon", subcommand_value_name = "KOMMANDO")]
    Forecast {
        #[command(subcommand)]
        what: ForecastCommand,
    },
    /// Specialposter: märk en del av utfall eller prognos (t.ex. covid-19, strukturell/övrig).
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor", subcommand_help_heading = "Kommandon", subcommand_value_name = "KOMMANDO")]
    Effect {
        #[command(subcommand)]
        what: EffectCommand,
    },
    /// Koladas nyckeltal: importera, hämta, egen kommun, jämförelsegrupper, referenskostnader.
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor", subcommand_value_name = "KOMMANDO", subcommand_help_heading = "Kommandon")]
    Kolada {
        #[command(subcommand)]
        what: kolada::KoladaCommand,
    },
    /// Jämför ett nyckeltal med riket, en jämförelsegrupp och valda kommuner över åren.
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor")]
    Jamfor(kolada::JamforArgs),
    /// Kostnadsnivå: nettokostnad per invånare, nettokostnadsavvikelse och strukturjusterad jämförelse i tre steg.
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor")]
    Kostnadsniva(kolada::KostnadsnivaArgs),
    /// Intraprenadernas resultatfond: ingående, nytt överskott/underskott, uttag, utgående.
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor", subcommand_help_heading = "Kommandon", subcommand_value_name = "KOMMANDO")]
    Intraprenad {
        #[command(subcommand)]
        what: IntraprenadCommand,
    },
    /// Åtgärdsplaner och effektiviseringskrav: planerad effekt, effekt hittills, prognos.
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor", subcommand_help_heading = "Kommandon", subcommand_value_name = "KOMMANDO")]
    Atgard {
        #[command(subcommand)]
        what: AtgardCommand,
    },
    /// Riktade statsbidrag: belopp, använt, återrapportering, återbetalning.
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor", subcommand_help_heading = "Kommandon", subcommand_value_name = "KOMMANDO")]
    Statsbidrag {
        #[command(subcommand)]
        what: StatsbidragCommand,
    },
    /// Investeringar: budget, utfall och förbrukad andel.
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor", subcommand_help_heading = "Kommandon", subcommand_value_name = "KOMMANDO")]
    Investering {
        #[command(subcommand)]
        what: InvesteringCommand,
    },
    /// Budget: ramberäkning ur en ramfil (uppräkning, demografi, sparbeting, prislappar),
    /// fördelning till enheter och budgetversioner.
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor", subcommand_help_heading = "Kommandon", subcommand_value_name = "KOMMANDO")]
    Budget {
        #[command(subcommand)]
        what: BudgetCommand,
    },
    /// Mål och indikatorer: målfil, målkaskad med bedömning och resurser per mål (docs/mal.md).
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor", subcommand_help_heading = "Kommandon", subcommand_value_name = "KOMMANDO")]
    Mal {
        #[command(subcommand)]
        what: mal::MalCommand,
    },
    /// Efterfrågeprognos: användningsandelar × befolkningsprognos, tio år, med kostnader och scenarier (docs/efterfragan.md).
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor", subcommand_help_heading = "Kommandon", subcommand_value_name = "KOMMANDO")]
    Efterfragan {
        #[command(subcommand)]
        what: mal::EfterfraganCommand,
    },
    /// Räkna fram ett timpris med självkostnadsmetoden (lön, PO, arbetstid, OB, omkostnader, brukartidsandel).
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor")]
    Rate(RateArgs),
    /// Månadsstängning: status, granska, godkänn, lås och öppna en månads avräkning (docs/manadsstangning.md).
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor", subcommand_help_heading = "Kommandon", subcommand_value_name = "KOMMANDO")]
    Period {
        #[command(subcommand)]
        what: period::PeriodCommand,
    },
    /// Skriv en godkänd månads bokföringsfil: SIE 4I (PC8) eller CSV, ur konteringsreglerna.
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor")]
    Bokfor(period::BookArgs),
    /// Skriv avräkningsunderlaget (xlsx) för en utförare och en godkänd månad.
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor")]
    Avrakningsunderlag(period::StatementArgs),
    /// Skapa stora testfiler i importformat (för prestandamätning).
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor", subcommand_help_heading = "Kommandon", subcommand_value_name = "SLAG")]
    Gen {
        #[command(subcommand)]
        what: GenCommand,
    },
    /// Personalnyckeltal ur personalimporten: sjukfrånvaro (kort/lång, per kön och ålder), frisknärvaro,
    /// övertid, mertid och timavlönade i årsarbetare, personalomsättning.
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor")]
    Personal(personal::PersonalArgs),
    /// Produktivitet i hemtjänsten per enhet och månad: utförandegrad (rullande 12 månader), tid utöver
    /// beslut, planerad ej utförd tid, bomtid, brukartidsandel, kontinuitet, kostnad per timme.
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor")]
    Produktivitet(produktivitet::ProduktivitetArgs),
    /// Beläggning i särskilt boende, korttid och LSS-boende per enhet och månad mot ett beläggningskrav.
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor")]
    Belaggning(belaggning::BelaggningArgs),
    /// Ej verkställda beslut (äldre än tre månader vid kvartalets slut): per insats och väntetid, lagrum,
    /// kön och åldersgrupp, med uppföljningslistan.
    #[command(name = "ej-verkstallda", help_template = TEMPLATE, next_help_heading = "Flaggor")]
    EjVerkstallda(ej_verkstallda::EjVerkstalldaArgs),
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    #[value(alias = "table")]
    Tabell,
    Json,
}

#[derive(Args)]
struct InfoArgs {
    /// Utdataformat.
    #[arg(long, value_enum, default_value = "tabell", value_name = "FORMAT", alias = "fmt")]
    format: Format,
    /// Räkna också ut en kontrollsumma över hela innehållet.
    #[arg(long)]
    kontrollsumma: bool,
}

#[derive(Args)]
struct ImportArgs {
    /// Slag av fil: organisation, utforare, insatser, beslut, besok, vistelser, narvaro,
    /// placeringar, assistans, huvudbok, budget, befolkning, verksamheter. `list` visar importloggen och
    /// `undo N` ångrar import nummer N.
    #[arg(value_name = "SLAG")]
    kind: String,
    /// Filen som ska importeras (.csv eller .xlsx; huvudbok även SIE 4); för `undo` importens nummer.
    #[arg(value_name = "FIL")]
    file: Option<PathBuf>,
    /// Huvudbok: mappningsfil från ekonomisystemets koder (docs/format/mappning.md).
    #[arg(long, value_name = "FIL")]
    mappning: Option<PathBuf>,
    /// Huvudbok: behåll rader med omappade koder under ansvaret OMAPPAT i stället för att avvisa filen.
    #[arg(long)]
    omappat: bool,
}

#[derive(Args)]
struct DemoArgs {
    /// Frö för slumptalen; samma frö ger samma data.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Storlek i procent av den fulla demokommunen (1–100).
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=100))]
    skala: u32,
    /// Spara de genererade importfilerna i denna katalog (annars tillfälligt).
    #[arg(long, value_name = "KATALOG")]
    katalog: Option<PathBuf>,
    /// Ta bort en befintlig databasfil (och dess pseudonymnyckel) först.
    #[arg(long)]
    ersatt: bool,
}

#[derive(Args)]
struct BackupArgs {
    /// Ny fil för kopian (skrivs aldrig över; läsbar bara för ägaren).
    #[arg(value_name = "FIL")]
    fil: PathBuf,
    /// Utdataformat.
    #[arg(long, value_enum, default_value = "tabell", value_name = "FORMAT")]
    format: Format,
}

#[derive(Args)]
struct RestoreArgs {
    /// Säkerhetskopian (skriven av `resurs backup`).
    #[arg(value_name = "FIL")]
    fil: PathBuf,
    /// Ersätt en databas som redan innehåller data.
    #[arg(long)]
    ersatt: bool,
    /// Utdataformat.
    #[arg(long, value_enum, default_value = "tabell", value_name = "FORMAT")]
    format: Format,
}

#[derive(Args)]
struct ServeArgs {
    /// Adress och port att lyssna på.
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADRESS")]
    addr: std::net::SocketAddr,
    /// Skapa Exempelstad om databasen saknas, och demoanvändarna (bara på loopback).
    #[arg(long)]
    demo: bool,
    /// Sessionskakan får alltid Secure (skickas bara över https); även RESURS_SAKER_KAKA=1.
    #[arg(long)]
    saker_kaka: bool,
    /// Servern ligger bakom en omvänd proxy: lita på X-Forwarded-For (klientens adress) och X-Forwarded-Proto (https ger Secure-kaka).
    #[arg(long)]
    proxy: bool,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Lägg till en användare. Lösenordet läses från RESURS_LOSENORD eller standard in.
    Add {
        /// Användarnamn.
        namn: String,
        /// admin, ekonom, enhetschef eller läsare.
        #[arg(long)]
        roll: String,
        /// Noden vars delträd en enhetschef ser och ändrar.
        #[arg(long, value_name = "KOD")]
        nod: Option<String>,
    },
    /// Byt lösenord. Det nya läses från RESURS_LOSENORD eller standard in.
    Passwd { namn: String },
    /// Lista användarna.
    List,
    /// Utfärda en API-nyckel (visas en gång; bara dess hash sparas).
    Token {
        namn: String,
        /// Vad nyckeln är till för.
        #[arg(long, default_value = "API")]
        etikett: String,
    },
    /// Lista API-nycklarna (etikett, när de skapades, om de är återkallade).
    Tokens {
        /// Bara den här användarens nycklar.
        namn: Option<String>,
    },
    /// Återkalla en användares giltiga API-nycklar med en viss etikett.
    TokenRevoke {
        namn: String,
        /// Nyckelns etikett (se `resurs user tokens`).
        etikett: String,
    },
    /// Avaktivera en användare: kan inte logga in eller använda nycklar; sessioner avslutas och nycklar återkallas.
    Deactivate { namn: String },
    /// Aktivera en avaktiverad användare igen.
    Activate { namn: String },
    /// Flytta en enhetschef till en annan nod; sessioner avslutas och nycklar återkallas.
    Unit {
        namn: String,
        /// Noden vars delträd enhetschefen ser och ändrar.
        #[arg(long, value_name = "KOD")]
        nod: String,
    },
    /// Lista aktiva sessioner (id, användare, inloggad, går ut), senaste först.
    Sessions {
        /// Bara den här användarens sessioner.
        namn: Option<String>,
    },
    /// Avsluta en session (id från `resurs user sessions`); användaren loggas ut.
    EndSession {
        /// Sessionens id (16 hexadecimala tecken).
        id: String,
    },
    /// Ge en användare en ny roll (och nod för enhetschef); sessioner avslutas och nycklar återkallas.
    Role {
        namn: String,
        /// admin, ekonom, enhetschef eller läsare.
        #[arg(long)]
        roll: String,
        /// Noden vars delträd en enhetschef ser och ändrar.
        #[arg(long, value_name = "KOD")]
        nod: Option<String>,
    },
}

#[derive(Subcommand)]
enum ModelCommand {
    /// Kontrollera en modellfil utan att spara den.
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor")]
    Check {
        #[arg(value_name = "FIL")]
        file: PathBuf,
    },
    /// Spara modellversionerna i en fil (allt eller inget).
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor")]
    Load {
        #[arg(value_name = "FIL")]
        file: PathBuf,
    },
    /// Lista sparade modellversioner.
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor")]
    List,
    /// Visa en modells versioner med priser.
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor")]
    Show {
        #[arg(value_name = "NAMN")]
        name: String,
        /// Utdataformat.
        #[arg(long, value_enum, default_value = "tabell", value_name = "FORMAT")]
        format: Format,
    },
    /// Visa vad som skiljer två modellversioner åt (gammalt → nytt).
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor")]
    Diff {
        /// Den första versionen, NAMN@ÅÅÅÅ-MM-DD (se `resurs model list`).
        #[arg(value_name = "A")]
        a: String,
        /// Den andra versionen, NAMN@ÅÅÅÅ-MM-DD.
        #[arg(value_name = "B")]
        b: String,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum SettleFormat {
    #[value(alias = "table")]
    Tabell,
    Json,
    Csv,
    Xlsx,
}

#[derive(Args)]
struct SettleArgs {
    /// Månad ÅÅÅÅ-MM.
    #[arg(long, value_name = "ÅÅÅÅ-MM", required_unless_present = "visa")]
    period: Option<String>,
    /// Visa en sparad körning i stället för att räkna.
    #[arg(long, value_name = "NR", conflicts_with = "period")]
    visa: Option<i64>,
    /// Utdataformat.
    #[arg(long, value_enum, default_value = "tabell", value_name = "FORMAT")]
    format: SettleFormat,
    /// Ta med brukare och dag under varje regelrad.
    #[arg(long)]
    detail: bool,
    /// Räkna även om volymer saknar modell; de visas som en oprissatt rad.
    #[arg(long)]
    allow_uncovered: bool,
    /// Avräkna hemtjänstbesöken i en besöksfil direkt, utan import (körningen sparas inte).
    #[arg(long, value_name = "FIL", conflicts_with = "visa")]
    fran_fil: Option<PathBuf>,
    /// Utfil för xlsx (annars standard ut när den inte är en terminal).
    #[arg(long, short, value_name = "FIL")]
    output: Option<PathBuf>,
}

#[derive(Args)]
struct FollowupArgs {
    /// Månad ÅÅÅÅ-MM (utfall och budget ackumulerat till och med den).
    #[arg(long, value_name = "ÅÅÅÅ-MM")]
    period: String,
    /// Nod i organisationsträdet (standard: hela kommunen).
    #[arg(long, value_name = "KOD")]
    node: Option<String>,
    /// Teckenkonvention: kostnad (kostnader positiva, avvikelse = budget − utfall) eller
    /// resultat (intäkter positiva, avvikelse = utfall − budget).
    #[arg(long, default_value = "kostnad", value_name = "LAYOUT")]
    layout: String,
    /// Visa konton under varje nod.
    #[arg(long)]
    konton: bool,
    /// Visa noder ner till nivån: nämnd, förvaltning, avdelning, ansvar eller konto (allt;
    /// kontoraderna kräver --konton). Summorna är alltid hela delträdets. Gäller tabell och
    /// csv; json och xlsx har alltid alla rader.
    #[arg(long, value_name = "NIVÅ")]
    djup: Option<String>,
    /// Föreslagen helårsprognos: utfall-budget (utfall + återstående budget), takt eller profil.
    #[arg(long, default_value = "utfall-budget", value_name = "METOD")]
    metod: String,
    /// Periodisering av årsbudget: jamn, dagar eller profil (förra årets utfall per månad).
    #[arg(long, default_value = "jamn", value_name = "SÄTT")]
    periodisering: String,
    /// Prognosversion vars manuella prognoser används (t.ex. "Prognos 2"), eller "förslag"
    /// för bara föreslagna prognoser (standard: årets senaste version med avstämningsmånad
    /// till och med --period, samma som i webben).
    #[arg(long, value_name = "NAMN")]
    prognos: Option<String>,
    /// Budgetversion (standard: årets senaste beslutade eller reviderade).
    #[arg(long, value_name = "VERSION")]
    budget: Option<String>,
    /// Räkna bort specialposterna (en rad per post under sin nod).
    #[arg(long)]
    utan_specialposter: bool,
    /// Utdataformat.
    #[arg(long, value_enum, default_value = "tabell", value_name = "FORMAT")]
    format: SettleFormat,
    /// Utfil för xlsx (annars standard ut när den inte är en terminal).
    #[arg(long, short, value_name = "FIL")]
    output: Option<PathBuf>,
}

#[derive(Subcommand)]
enum ForecastCommand {
    /// Sätt en nods helårsprognos (nettokostnad, kostnader positiva) i en namngiven version.
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor")]
    Set {
        /// Versionens namn, t.ex. "Prognos 1".
        #[arg(long, value_name = "NAMN")]
        version: String,
        /// Månaden prognosen görs i (versionens kontrollpunkt), ÅÅÅÅ-MM.
        #[arg(long, value_name = "ÅÅÅÅ-MM")]
        period: String,
        /// Nod i organisationsträdet.
        #[arg(long, value_name = "KOD")]
        node: String,
        /// Helårsprognos i kronor, t.ex. "48 200 000".
        #[arg(long, value_name = "KR", allow_hyphen_values = true)]
        belopp: String,
        /// Kommentar som förklarar prognosen.
        #[arg(long, value_name = "TEXT")]
        kommentar: String,
    },
    /// Lista årets prognosversioner och prognoser.
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor")]
    List {
        #[arg(long, value_name = "ÅÅÅÅ", value_parser = year_arg)]
        year: i32,
        #[arg(long, value_enum, default_value = "tabell", value_name = "FORMAT")]
        format: Format,
    },
    /// Jämför två prognosversioner per nod.
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor")]
    Compare {
        #[arg(long, value_name = "ÅÅÅÅ", value_parser = year_arg)]
        year: i32,
        #[arg(long, value_name = "NAMN")]
        a: String,
        #[arg(long, value_name = "NAMN")]
        b: String,
        #[arg(long, value_enum, default_value = "tabell", value_name = "FORMAT")]
        format: Format,
    },
    /// Prognossäkerhet för ett stängt år: slutligt utfall − prognos per version och nod.
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor")]
    Accuracy {
        #[arg(long, value_name = "ÅÅÅÅ", value_parser = year_arg)]
        year: i32,
        #[arg(long, value_enum, default_value = "tabell", value_name = "FORMAT")]
        format: Format,
    },
}

#[derive(Subcommand)]
enum BudgetCommand {
    /// Räkna ramen ur en ramfil (docs/budget.md); --spara sparar den som ny budgetversion.
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor")]
    Frame {
        #[arg(value_name = "FIL")]
        file: PathBuf,
        /// Spara raderna som budgetversionen som ramfilen namnger.
        #[arg(long)]
        spara: bool,
        /// Spara periodiserat per månad: jamn, dagar eller profil (förra årets utfall);
        /// utan flaggan sparas helårsrader.
        #[arg(long, value_name = "SÄTT", requires = "spara")]
        periodisering: Option<String>,
        #[arg(long, value_enum, default_value = "tabell", value_name = "FORMAT")]
        format: Format,
    },
    /// Årets budgetversioner med typ och summa.
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor")]
    List {
        #[arg(long, value_name = "ÅÅÅÅ", value_parser = year_arg)]
        year: i32,
    },
}

#[derive(Subcommand)]
enum IntraprenadCommand {
    /// Resultatfonden per intraprenad för året till och med perioden.
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor")]
    Show {
        #[arg(long, value_name = "ÅÅÅÅ-MM")]
        period: String,
        #[arg(long, value_enum, default_value = "tabell", value_name = "FORMAT")]
        format: Format,
    },
    /// Ange ingående saldo och/eller uttag ur eget kapital för ett år.
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor")]
    Set {
        #[arg(long, value_name = "KOD")]
        ansvar: String,
        #[arg(long, value_name = "ÅÅÅÅ", value_parser = year_arg)]
        year: i32,
        /// Ingående saldo i kronor (utelämnat: förra årets utgående).
        #[arg(long, value_name = "KR", allow_hyphen_values = true)]
        ingaende: Option<String>,
        /// Uttag ur eget kapital under året i kronor.
        #[arg(long, value_name = "KR", default_value = "0", allow_hyphen_values = true)]
        uttag: String,
        #[arg(long, value_name = "TEXT", default_value = "")]
        kommentar: String,
    },
}

#[derive(Subcommand)]
enum AtgardCommand {
    /// Lägg till eller uppdatera en åtgärd (samma plan, år och åtgärd ersätts).
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor")]
    Add {
        /// åtgärdsplan eller effektiviseringskrav.
        #[arg(long, value_name = "SLAG", default_value = "åtgärdsplan")]
        slag: String,
        #[arg(long, value_name = "NAMN")]
        plan: String,
        #[arg(long, value_name = "KOD")]
        node: String,
        #[arg(long, value_name = "ÅÅÅÅ", value_parser = year_arg)]
        year: i32,
        #[arg(long, value_name = "TEXT")]
        atgard: String,
        /// Planerad effekt i kronor (helår).
        #[arg(long, value_name = "KR")]
        planerad: String,
        /// Effekt hittills i kronor.
        #[arg(long, value_name = "KR", default_value = "0")]
        hittills: String,
        /// Prognostiserad effekt för året i kronor.
        #[arg(long, value_name = "KR", default_value = "0")]
        prognos: String,
        #[arg(long, value_name = "TEXT", default_value = "")]
        kommentar: String,
    },
    /// Lista årets åtgärder med summor per plan.
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor")]
    List {
        #[arg(long, value_name = "ÅÅÅÅ", value_parser = year_arg)]
        year: i32,
        #[arg(long, value_enum, default_value = "tabell", value_name = "FORMAT")]
        format: Format,
    },
}

#[derive(Subcommand)]
enum StatsbidragCommand {
    /// Lägg till eller uppdatera ett statsbidrag (samma namn, år och nod ersätts).
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor")]
    Add {
        #[arg(long, value_name = "NAMN")]
        namn: String,
        #[arg(long, value_name = "ÅÅÅÅ", value_parser = year_arg)]
        year: i32,
        #[arg(long, value_name = "KOD")]
        node: String,
        #[arg(long, value_name = "KR")]
        belopp: String,
        #[arg(long, value_name = "KR", default_value = "0")]
        anvant: String,
        /// Sista dag för återrapportering, ÅÅÅÅ-MM-DD.
        #[arg(long, value_name = "DATUM")]
        aterrapport: Option<String>,
        /// Belopp som ska eller har betalats tillbaka.
        #[arg(long, value_name = "KR", default_value = "0")]
        aterbetalning: String,
        #[arg(long, value_name = "TEXT", default_value = "")]
        kommentar: String,
    },
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor")]
    List {
        #[arg(long, value_name = "ÅÅÅÅ", value_parser = year_arg)]
        year: i32,
        #[arg(long, value_enum, default_value = "tabell", value_name = "FORMAT")]
        format: Format,
    },
}

#[derive(Subcommand)]
enum InvesteringCommand {
    /// Lägg till eller uppdatera en investering (samma projekt och år ersätts).
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor")]
    Add {
        #[arg(long, value_name = "NAMN")]
        projekt: String,
        #[arg(long, value_name = "ÅÅÅÅ", value_parser = year_arg)]
        year: i32,
        #[arg(long, value_name = "KOD")]
        node: String,
        #[arg(long, value_name = "KR")]
        budget: String,
        #[arg(long, value_name = "KR", default_value = "0")]
        utfall: String,
        #[arg(long, value_name = "TEXT", default_value = "")]
        kommentar: String,
    },
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor")]
    List {
        #[arg(long, value_name = "ÅÅÅÅ", value_parser = year_arg)]
        year: i32,
        #[arg(long, value_enum, default_value = "tabell", value_name = "FORMAT")]
        format: Format,
    },
}

#[derive(Subcommand)]
enum EffectCommand {
    /// Märk en del av en nods utfall i en månad och/eller av dess helårsprognos.
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor")]
    Add {
        /// Specialpostens namn, t.ex. covid-19.
        #[arg(long, value_name = "NAMN")]
        tagg: String,
        /// strukturell (volymförändringar) eller övrig (extra kostnader).
        #[arg(long, value_name = "DEL")]
        del: String,
        /// Nod i organisationsträdet.
        #[arg(long, value_name = "KOD")]
        node: String,
        /// Månaden utfallet hör till, ÅÅÅÅ-MM.
        #[arg(long, value_name = "ÅÅÅÅ-MM")]
        period: String,
        /// Del av månadens utfall i kronor (kostnad positiv).
        #[arg(long, value_name = "KR", default_value = "0", allow_hyphen_values = true)]
        utfall: String,
        /// Del av helårsprognosen i kronor.
        #[arg(long, value_name = "KR", default_value = "0", allow_hyphen_values = true)]
        prognos: String,
        /// Förklaring.
        #[arg(long, value_name = "TEXT")]
        kommentar: String,
    },
}

#[derive(Args)]
struct PeriodArgs {
    /// Månad ÅÅÅÅ-MM.
    #[arg(long, value_name = "ÅÅÅÅ-MM")]
    period: String,
    /// Utdataformat.
    #[arg(long, value_enum, default_value = "tabell", value_name = "FORMAT")]
    format: Format,
}

#[derive(Args)]
struct PlacementArgs {
    /// Året till och med denna månad, ÅÅÅÅ-MM.
    #[arg(long, value_name = "ÅÅÅÅ-MM")]
    period: String,
    /// Årets placeringsbudget i kronor (annars budgeten som placeringsmodellen anger).
    #[arg(long, value_name = "KR")]
    budget: Option<String>,
    /// Utdataformat.
    #[arg(long, value_enum, default_value = "tabell", value_name = "FORMAT")]
    format: Format,
}

#[derive(Args)]
struct ScenarioArgs {
    /// Basversion, NAMN@ÅÅÅÅ-MM-DD (se `resurs model list`).
    #[arg(long, value_name = "MODELL@VERSION")]
    base: String,
    /// Alternativ version, NAMN@ÅÅÅÅ-MM-DD.
    #[arg(long, value_name = "MODELL@VERSION")]
    alt: String,
    /// Året vars volymer används.
    #[arg(long, value_name = "ÅÅÅÅ", value_parser = year_arg)]
    year: i32,
    /// Utdataformat.
    #[arg(long, value_enum, default_value = "tabell", value_name = "FORMAT")]
    format: Format,
}

#[derive(Args)]
struct RateArgs {
    /// Månadslön i kronor, t.ex. 29 500.
    #[arg(long, value_name = "KR")]
    manadslon: String,
    /// Personalomkostnadspålägg (PO) i procent, t.ex. 40,15.
    #[arg(long, value_name = "PROCENT")]
    po: String,
    /// Årsarbetstid i timmar per heltid, t.ex. 1 700.
    #[arg(long, value_name = "TIMMAR")]
    arsarbetstid: String,
    /// OB-tillägg i kronor per arbetad timme.
    #[arg(long, value_name = "KR", default_value = "0")]
    ob: String,
    /// Omkostnader (ledning, lokaler, fordon, IT) i procent av personalkostnaden per timme.
    #[arg(long, value_name = "PROCENT", default_value = "0")]
    omkostnad_procent: String,
    /// Omkostnader i kronor per arbetad timme.
    #[arg(long, value_name = "KR", default_value = "0")]
    omkostnad_kr: String,
    /// Andel av arbetad tid hos brukaren, t.ex. 0,6.
    #[arg(long, value_name = "ANDEL")]
    brukartidsandel: String,
    /// Utdataformat.
    #[arg(long, value_enum, default_value = "tabell", value_name = "FORMAT")]
    format: Format,
}

#[derive(Subcommand)]
enum GenCommand {
    /// En besöksfil (utförd tid) i importformatet, strömmad utan att hållas i minnet.
    #[command(help_template = TEMPLATE, next_help_heading = "Flaggor")]
    Visits {
        /// Antal rader.
        #[arg(long)]
        rows: u64,
        /// Frö för slumptalen.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Alla besök i den här månaden (ÅÅÅÅ-MM) i stället för dag för dag från 2025-01-01.
        #[arg(long)]
        manad: Option<String>,
        /// Skriv varje fält inom citattecken, som vissa system exporterar.
        #[arg(long)]
        citat: bool,
        /// Sprid besöken jämnt över årets dagar (KPB-mätningen), med --brukare personer.
        #[arg(long, value_name = "ÅÅÅÅ", conflicts_with_all = ["manad", "citat"])]
        ar: Option<i32>,
        /// Antal brukare med --ar (standard 20 000).
        #[arg(long, value_name = "N", default_value_t = 20_000, requires = "ar")]
        brukare: usize,
        /// Utfil (standard: standard ut).
        #[arg(long, short, value_name = "FIL")]
        output: Option<PathBuf>,
    },
}

/// The database: `--db`, else `RESURS_DB`, else `resurs.db`; a value
/// starting with `postgres://` or `postgresql://` is a PostgreSQL server.
fn db_location(cli: &Cli) -> DbLocation {
    let value = cli
        .db
        .clone()
        .or_else(|| std::env::var_os("RESURS_DB").filter(|v| !v.is_empty()))
        .unwrap_or_else(|| "resurs.db".into());
    DbLocation::parse(&value)
}

fn open(path: &DbLocation) -> anyhow::Result<Store> {
    Store::open_location(path).map_err(anyhow::Error::from)
}

pub(crate) fn month(raw: &str) -> anyhow::Result<resurs_core::period::Period> {
    match resurs_core::period::Period::parse(raw) {
        Some(p) => Ok(p),
        None => {
            anyhow::bail!("--period: värdet \"{raw}\", förväntade en månad ÅÅÅÅ-MM med år 1900–2100, t.ex. 2026-03")
        }
    }
}

/// `--year`: 1900–2100 (docs/format/README.md, "Gränser").
fn year_arg(raw: &str) -> Result<i32, String> {
    match raw.trim().parse::<i32>() {
        Ok(y) if resurs_core::limits::year_ok(y) => Ok(y),
        _ => Err(format!("värdet \"{raw}\", förväntade ett år mellan 1900 och 2100")),
    }
}

/// A context value of a clap error as text.
fn clap_ctx(e: &clap::Error, kind: clap::error::ContextKind) -> Option<String> {
    use clap::error::ContextValue;
    Some(match e.get(kind)? {
        ContextValue::String(s) => s.clone(),
        ContextValue::Strings(v) => v.join(", "),
        ContextValue::StyledStr(s) => s.to_string(),
        ContextValue::StyledStrs(v) => v.iter().map(|s| s.to_string()).collect::<Vec<_>>().join(", "),
        ContextValue::Number(n) => n.to_string(),
        _ => return None,
    })
}

/// A bad command line, told in Swedish (clap's own texts are English).
fn swedish_usage_error(e: &clap::Error) -> String {
    use clap::error::{ContextKind as K, ErrorKind};
    let arg = clap_ctx(e, K::InvalidArg).unwrap_or_default();
    let value = clap_ctx(e, K::InvalidValue).unwrap_or_default();
    let hint = clap_ctx(e, K::SuggestedArg)
        .or_else(|| clap_ctx(e, K::SuggestedSubcommand))
        .or_else(|| clap_ctx(e, K::SuggestedValue))
        .map(|s| format!("; menade du {s}?"))
        .unwrap_or_default();
    match e.kind() {
        ErrorKind::InvalidValue => {
            let valid = clap_ctx(e, K::ValidValue)
                .map(|v| format!("; möjliga värden: {v}"))
                .unwrap_or_default();
            if value.is_empty() {
                format!("{arg} behöver ett värde{valid}")
            } else {
                format!("ogiltigt värde \"{value}\" för {arg}{valid}{hint}")
            }
        }
        ErrorKind::ValueValidation => {
            let why = std::error::Error::source(e).map(|s| s.to_string()).unwrap_or_default();
            format!("ogiltigt värde \"{value}\" för {arg}: {why}")
        }
        ErrorKind::UnknownArgument => format!("okänd flagga eller argument {arg}{hint}"),
        ErrorKind::InvalidSubcommand => format!(
            "okänt kommando \"{}\"{hint}",
            clap_ctx(e, K::InvalidSubcommand).unwrap_or_default()
        ),
        ErrorKind::MissingRequiredArgument => format!("saknas: {arg}"),
        ErrorKind::MissingSubcommand => "ett kommando saknas".to_string(),
        ErrorKind::ArgumentConflict => format!(
            "{arg} kan inte användas tillsammans med {}",
            clap_ctx(e, K::PriorArg).unwrap_or_default()
        ),
        ErrorKind::NoEquals | ErrorKind::TooManyValues | ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => {
            format!("fel antal värden för {arg}")
        }
        ErrorKind::InvalidUtf8 => "ett argument är inte giltig UTF-8".to_string(),
        _ => "felaktiga argument".to_string(),
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(
                e.kind(),
                ErrorKind::DisplayHelp
                    | ErrorKind::DisplayVersion
                    | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            ) {
                e.exit();
            }
            eprintln!("fel: {}", swedish_usage_error(&e));
            eprintln!("Se `resurs --help` eller `resurs KOMMANDO --help`.");
            return ExitCode::from(2);
        }
    };
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            // A busy database or an overflowing sum is the user's to act on.
            let e = match e.downcast::<resurs_store::StoreError>() {
                Ok(se) => anyhow::Error::from(resurs_app::AppError::from(se)),
                Err(e) => e,
            };
            // The operator sees an internal error's detail too, marked as such.
            let internal = e
                .downcast_ref::<resurs_app::AppError>()
                .is_some_and(resurs_app::AppError::is_internal)
                || e.downcast_ref::<resurs_store::StoreError>()
                    .is_some_and(|s| !s.is_operational());
            eprintln!("{}: {e}", if internal { "internt fel" } else { "fel" });
            let mut src = e.source();
            while let Some(s) = src {
                eprintln!("  orsak: {s}");
                src = s.source();
            }
            ExitCode::from(1)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let path = db_location(&cli);
    let actor = resurs_app::Actor::cli(cli.anvandare.as_deref());
    match cli.command {
        Command::Info(args) => {
            let store = open_existing(&path)?;
            let overview = store.overview()?;
            let checksum = if args.kontrollsumma {
                Some(store.content_checksum()?)
            } else {
                None
            };
            match args.format {
                Format::Tabell => print!("{}", render::overview_table(&overview, checksum.as_deref())),
                Format::Json => {
                    let mut v = serde_json::to_value(&overview)?;
                    if let Some(c) = checksum {
                        v["kontrollsumma"] = serde_json::Value::String(c);
                    }
                    println!("{}", serde_json::to_string_pretty(&v)?);
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Import(args) if args.kind == "list" => {
            let store = open_existing(&path)?;
            print!("{}", render::import_list(&import::list(&store)?));
            Ok(ExitCode::SUCCESS)
        }
        Command::Import(args) if matches!(args.kind.as_str(), "undo" | "ångra" | "angra") => {
            let n = args
                .file
                .as_ref()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default();
            let Ok(id) = n.trim().parse::<i64>() else {
                anyhow::bail!("import undo: värdet \"{n}\", förväntade importens nummer (se `resurs import list`)");
            };
            let mut store = open_existing(&path)?;
            let done = import::undo(&mut store, id, &actor, &resurs_app::now())?;
            println!(
                "Import {id} ({} {}) är ångrad: {} rader borttagna, {} ersatta värden återställda, {} pseudonymer utan rader borttagna.",
                done.import.typ,
                done.import.filnamn,
                render::int(done.rows as i64),
                done.restored,
                done.people
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Import(args) => {
            let Some(file) = args.file.clone() else {
                anyhow::bail!("ange filen som ska importeras: resurs import {} FIL", args.kind);
            };
            let Some(kind) = Kind::parse(&args.kind) else {
                let names: Vec<&str> = Kind::ALL.iter().map(|k| k.name()).collect();
                anyhow::bail!("okänt slag av fil \"{}\"; välj ett av: {}", args.kind, names.join(", "));
            };
            if !file.is_file() {
                anyhow::bail!("filen {} finns inte", file.display());
            }
            let mut store = open(&path)?;
            let mut bar = render::Bar::new(&file);
            let mut opts = import::Options::now(actor.clone());
            opts.progress = bar.as_mut().map(|b| b as &mut dyn import::Progress);
            if kind != Kind::Huvudbok && (args.mappning.is_some() || args.omappat) {
                anyhow::bail!("--mappning och --omappat gäller bara import av huvudbok");
            }
            if kind == Kind::Huvudbok {
                let mapping = match &args.mappning {
                    Some(p) => match resurs_app::ledger::read_mapping(p)? {
                        Ok(m) => Some(m),
                        Err(problems) => {
                            eprint!(
                                "{}",
                                problems
                                    .render()
                                    .replace("importerades inte; inget har sparats", "är inte en giltig mappningsfil")
                            );
                            return Ok(ExitCode::from(1));
                        }
                    },
                    None => None,
                };
                let (outcome, info) =
                    resurs_app::ledger::import(&mut store, &file, mapping.as_ref(), args.omappat, opts)?;
                if let (Some(s), import::Outcome::Imported { .. }) = (&info.sie, &outcome) {
                    eprintln!(
                        "SIE 4: {} verifikationer, {} konton; raderna kommer från {} och summeras per månad, konto, \
                         ansvar, verksamhet, verifikation och text; {} rader på balanskonton (klass 1–2) används inte.",
                        render::int(s.verifikationer as i64),
                        s.konton,
                        s.kalla,
                        render::int(s.balansrader as i64)
                    );
                }
                if !info.omappat.is_empty() {
                    eprintln!("Omappade koder sparade under ansvaret {}:", resurs_app::ledger::OMAPPAT);
                    for line in &info.omappat {
                        eprintln!("  {line}");
                    }
                }
                return Ok(report_import(kind, &file, outcome));
            }
            let outcome = import::import_file(&mut store, kind, &file, opts)?;
            Ok(report_import(kind, &file, outcome))
        }
        Command::Demo(args) => {
            if args.ersatt {
                let Some(file) = path.file() else {
                    anyhow::bail!(
                        "--ersatt tar bort en databasfil och gäller inte PostgreSQL; töm databasen {} med \
                         dropdb och createdb (docs/drift.md) och kör demo igen",
                        path
                    );
                };
                for p in [file.to_path_buf(), resurs_app::keys::key_path(file)] {
                    match std::fs::remove_file(&p) {
                        Ok(()) => eprintln!("Tog bort {}.", p.display()),
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                        Err(e) => return Err(e).with_context(|| format!("kunde inte ta bort {}", p.display())),
                    }
                }
            }
            let mut store = open(&path)?;
            let opts = demo::Options {
                seed: args.seed,
                scale_percent: args.skala,
                dir: args.katalog,
            };
            let started = std::time::Instant::now();
            let summary =
                demo::run(&mut store, &opts, &mut |msg| eprintln!("{msg}")).context("demon kunde inte skapas")?;
            eprintln!(
                "Exempelstad skapad i {} ({} filer, {} rader) på {:.1} s.",
                path,
                summary.files,
                render::int(summary.rows as i64),
                started.elapsed().as_secs_f64()
            );
            print!("{}", render::overview_table(&store.overview()?, None));
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve(args) => serve_cmd(&path, args),
        Command::Backup(args) => {
            let store = open_existing(&path)?;
            let w = resurs_app::backup::backup(&store, &args.fil)?;
            match args.format {
                Format::Tabell => println!(
                    "Säkerhetskopia skriven: {} ({} byte), kontrollsumma {}.\nPseudonymnyckeln ingår inte; \
                     spara den separat (docs/drift.md).",
                    w.fil.display(),
                    render::int(w.byte as i64),
                    w.kontrollsumma
                ),
                Format::Json => println!("{}", serde_json::to_string_pretty(&w)?),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Restore(args) => {
            // Restoring onto a new machine: the database file is created
            // here and removed again if the backup is refused.
            let fresh = path.file().is_some_and(|f| !f.exists());
            let mut store = open(&path)?;
            let r = match resurs_app::backup::restore(&mut store, &args.fil, &actor, args.ersatt) {
                Ok(r) => r,
                Err(e) => {
                    drop(store);
                    if let (true, Some(f)) = (fresh, path.file()) {
                        let _ = std::fs::remove_file(f);
                    }
                    return Err(e.into());
                }
            };
            match args.format {
                Format::Tabell => println!(
                    "Databasen {} återställd från {} (schemaversion {}, {} importer), kontrollsumma {}.",
                    path,
                    r.fran.display(),
                    r.schemaversion,
                    r.importer,
                    r.kontrollsumma
                ),
                Format::Json => println!("{}", serde_json::to_string_pretty(&r)?),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::User { what } => user_cmd(&path, &actor, what),
        Command::Model { what } => model_command(&path, &actor, what),
        Command::Settle(args) => settle_command(&path, args),
        Command::Period { what } => period::period_cmd(&path, cli.anvandare.as_deref(), what),
        Command::Bokfor(args) => period::book_cmd(&path, cli.anvandare.as_deref(), args),
        Command::Avrakningsunderlag(args) => period::statement_cmd(&path, args),
        Command::Scenario(args) => {
            let store = open_existing(&path)?;
            let s = resurs_app::scenario::run(&store, &args.base, &args.alt, args.year)?;
            match args.format {
                Format::Tabell => print!("{}", render::scenario_table(&s)),
                Format::Json => println!("{}", serde_json::to_string_pretty(&s)?),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Followup(args) => followup_cmd(&path, &args),
        Command::Driftredovisning(args) => drift::run(&path, &args),
        Command::Avvikelse(args) => drift::run_avvikelse(&path, &args),
        Command::Kostnadsslag { what } => drift::kostnadsslag(&path, &actor, &what),
        Command::Kpb(args) => kpb::kpb_cmd(&path, &args),
        Command::KpbNycklar { fil } => kpb::nycklar_cmd(&path, &actor, &fil),
        Command::Rapport(args) => rapport::run(&path, &actor, args),
        Command::Forecast { what } => forecast_cmd(&path, &actor, what),
        Command::Kolada { what } => kolada::kolada_cmd(&path, &actor, what),
        Command::Jamfor(a) => kolada::jamfor_cmd(&path, a),
        Command::Kostnadsniva(a) => kolada::kostnadsniva_cmd(&path, a),
        Command::Intraprenad { what } => intraprenad_cmd(&path, &actor, what),
        Command::Mal { what } => mal::mal_cmd(&path, &actor, what),
        Command::Efterfragan { what } => mal::efterfragan_cmd(&path, &actor, what),
        Command::Budget { what } => match what {
            BudgetCommand::Frame {
                file,
                spara,
                periodisering,
                format,
            } => {
                let periodisering = match periodisering.as_deref() {
                    Some(p) => match resurs_core::followup::Periodisering::parse(p) {
                        Some(x) => Some(x),
                        None => anyhow::bail!("--periodisering: värdet \"{p}\", förväntade jamn, dagar eller profil"),
                    },
                    None => None,
                };
                let mut store = open_existing(&path)?;
                let text = resurs_app::fil::read_text_bounded(&file, resurs_app::budget::RAM_MAX_BYTES, "ramfilen")?;
                let name = file
                    .file_name()
                    .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
                let ts = resurs_app::now();
                let r = resurs_app::budget::frame(&mut store, &actor, &name, &text, spara, periodisering, &ts)?;
                match format {
                    Format::Tabell => print!("{}", render::frame_table(&r)),
                    Format::Json => println!("{}", serde_json::to_string_pretty(&r)?),
                }
                Ok(ExitCode::SUCCESS)
            }
            BudgetCommand::List { year } => {
                let store = open_existing(&path)?;
                for (v, typ, total) in resurs_app::budget::versions(&store, year)? {
                    println!(
                        "{}{}{}",
                        render::pad(&v, 24),
                        render::pad(&typ, 12),
                        resurs_core::num::Money::from_ore(total).fmt_tkr()
                    );
                }
                Ok(ExitCode::SUCCESS)
            }
        },
        Command::Atgard { what } => atgard_cmd(&path, &actor, what),
        Command::Statsbidrag { what } => statsbidrag_cmd(&path, &actor, what),
        Command::Investering { what } => investering_cmd(&path, &actor, what),
        Command::Effect {
            what:
                EffectCommand::Add {
                    tagg,
                    del,
                    node,
                    period,
                    utfall,
                    prognos,
                    kommentar,
                },
        } => {
            let mut store = open_existing(&path)?;
            let (u, p) = (kr("utfall", &utfall)?, kr("prognos", &prognos)?);
            let ts = resurs_app::now();
            resurs_app::followup::add_effect(
                &mut store,
                &actor,
                &tagg,
                &del,
                &node,
                month(&period)?,
                u,
                p,
                &kommentar,
                &ts,
            )?;
            eprintln!(
                "Specialposten {tagg} ({del}) sparades för {node}: utfall {period} {}, prognos {}.",
                u.fmt_kr(),
                p.fmt_kr()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Acconto(args) => {
            let store = open_existing(&path)?;
            let plan = resurs_app::reports::acconto(&store, month(&args.period)?)?;
            match args.format {
                Format::Tabell => print!("{}", render::acconto_table(&plan)),
                Format::Json => println!("{}", serde_json::to_string_pretty(&plan)?),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Assistans(args) => {
            let store = open_existing(&path)?;
            let report = resurs_app::reports::assistance(&store, month(&args.period)?)?;
            match args.format {
                Format::Tabell => print!("{}", render::assistance_table(&report)),
                Format::Json => println!("{}", serde_json::to_string_pretty(&report)?),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Placeringar(args) => {
            let store = open_existing(&path)?;
            let budget = match &args.budget {
                Some(b) => match resurs_core::num::Money::parse_sv(b) {
                    Ok(m) if m.ore() >= 0 => Some(m),
                    Err(e @ resurs_core::num::NumError::TooLarge) => {
                        anyhow::bail!("--budget: värdet \"{b}\", förväntade {}", e.expected())
                    }
                    _ => anyhow::bail!("--budget: värdet \"{b}\", förväntade ett belopp i kronor, t.ex. 98 500 000"),
                },
                None => None,
            };
            let report = resurs_app::reports::placements(&store, month(&args.period)?, budget)?;
            match args.format {
                Format::Tabell => print!("{}", render::placements_table(&report)),
                Format::Json => println!("{}", serde_json::to_string_pretty(&report)?),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::EjVerkstallda(args) => {
            ej_verkstallda::run(&path, args)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Belaggning(args) => {
            belaggning::run(&path, args)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Produktivitet(args) => {
            produktivitet::run(&path, args)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Personal(args) => {
            personal::run(&path, args)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Rate(args) => {
            let input = rate_input(&args)?;
            let result = match resurs_core::rules::selfcost::compute(&input) {
                Ok(r) => r,
                Err(p) => anyhow::bail!("{}", render::selfcost_problem(p)),
            };
            match args.format {
                Format::Tabell => print!("{}", render::selfcost_table(&input, &result)),
                Format::Json => println!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({ "indata": input, "resultat": result }))?
                ),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Gen {
            what:
                GenCommand::Visits {
                    rows,
                    seed,
                    manad,
                    citat,
                    ar,
                    brukare,
                    output,
                },
        } => {
            let month = match manad.as_deref() {
                None => None,
                Some(m) => Some(
                    resurs_core::period::Period::parse(m)
                        .with_context(|| format!("--manad: värdet \"{m}\", förväntade en månad ÅÅÅÅ-MM"))?,
                ),
            };
            let out: Box<dyn std::io::Write> = match &output {
                Some(p) => {
                    Box::new(std::fs::File::create(p).with_context(|| format!("kunde inte skapa {}", p.display()))?)
                }
                None => Box::new(std::io::stdout().lock()),
            };
            match ar {
                Some(y) => gen::visits_in_year(out, rows, seed, y, brukare)?,
                None => gen::visits(out, rows, seed, month, citat)?,
            }
            if let Some(p) = output {
                eprintln!("Skrev {} besök till {}.", render::int(rows as i64), p.display());
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn model_command(path: &DbLocation, actor: &resurs_app::Actor, what: ModelCommand) -> anyhow::Result<ExitCode> {
    use resurs_app::models;
    let name_of = |p: &Path| {
        p.file_name()
            .map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().into_owned())
    };
    match what {
        ModelCommand::Check { file } => {
            let text = models::read(&file)?;
            match models::check_text(&text) {
                Ok(v) => {
                    println!("Modellfilen {} är giltig: {} modellversioner.", name_of(&file), v.len());
                    for m in &v {
                        println!(
                            "  {} ({}, insatser: {})",
                            m.id(),
                            m.model_type().code(),
                            m.insatser.join(", ")
                        );
                    }
                    Ok(ExitCode::SUCCESS)
                }
                Err(p) => {
                    eprint!("{}", models::render_problems(&name_of(&file), &p));
                    Ok(ExitCode::from(1))
                }
            }
        }
        ModelCommand::Load { file } => {
            let text = models::read(&file)?;
            let mut store = open(path)?;
            let ts = resurs_app::now();
            match models::load_text(&mut store, actor, &name_of(&file), &text, &ts)? {
                models::LoadOutcome::Loaded { added, unchanged } => {
                    println!(
                        "Laddade {}: {} nya modellversioner, {} redan sparade med samma innehåll.",
                        name_of(&file),
                        added.len(),
                        unchanged.len()
                    );
                    for a in added {
                        println!("  ny: {a}");
                    }
                    Ok(ExitCode::SUCCESS)
                }
                models::LoadOutcome::Refused(msg) => {
                    eprint!("{msg}");
                    Ok(ExitCode::from(1))
                }
            }
        }
        ModelCommand::List => {
            let store = open_existing(path)?;
            let v = models::stored(&store)?;
            if v.is_empty() {
                println!("Inga ersättningsmodeller är sparade.");
            }
            for m in v {
                println!(
                    "{}  {}  giltig {} – {}  insatser: {}",
                    render::pad(&m.namn, 24),
                    render::pad(m.model_type().code(), 22),
                    m.giltig_fran,
                    m.giltig_till.map_or("tills vidare".into(), |d| d.to_string()),
                    m.insatser.join(", ")
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        ModelCommand::Show { name, format } => {
            let store = open_existing(path)?;
            let v: Vec<_> = models::stored(&store)?.into_iter().filter(|m| m.namn == name).collect();
            if v.is_empty() {
                anyhow::bail!("det finns ingen sparad modell med namnet \"{name}\"; se `resurs model list`");
            }
            match format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&v)?),
                Format::Tabell => print!("{}", render::model_versions(&v)),
            }
            Ok(ExitCode::SUCCESS)
        }
        ModelCommand::Diff { a, b } => {
            let store = open_existing(path)?;
            let (va, vb, changes) = models::diff(&store, &a, &b)?;
            print!("{}", models::render_diff(&va, &vb, &changes));
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn serve_cmd(path: &DbLocation, args: ServeArgs) -> anyhow::Result<ExitCode> {
    resurs_web::init_logging();
    if args.demo {
        if !args.addr.ip().is_loopback() {
            anyhow::bail!(
                "--demo skapar demoanvändare med kända lösenord och vägrar därför adressen {}; \
                 använd 127.0.0.1 eller ::1, eller lägg upp riktiga användare med `resurs user add`",
                args.addr
            );
        }
        let mut store = open(path)?;
        if !store.has_data()? {
            eprintln!("Skapar Exempelstad i {} (tar några sekunder) …", path);
            let opts = demo::Options {
                seed: 1,
                scale_percent: 100,
                dir: None,
            };
            demo::run(&mut store, &opts, &mut |msg| eprintln!("{msg}")).context("demon kunde inte skapas")?;
        }
        let added = resurs_app::users::ensure_demo_users(&mut store)?;
        eprintln!(
            "Demoanvändare{}: {}",
            if added > 0 { " (nya)" } else { "" },
            resurs_app::users::DEMO_USERS
                .iter()
                .map(|(n, _, _, pw)| format!("{n} / {pw}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    } else {
        let store = open_existing(path)?;
        if store.users()?.is_empty() {
            eprintln!("Det finns inga användare ännu; lägg till en med `resurs user add NAMN --roll admin`.");
        }
    }
    eprintln!("Öppna http://{}/ i webbläsaren. Avsluta med Ctrl-C.", args.addr);
    let env_secure = std::env::var("RESURS_SAKER_KAKA").is_ok_and(|v| v.trim() == "1");
    resurs_web::serve(resurs_web::ServeOptions {
        addr: args.addr,
        db: path.clone(),
        settings: resurs_web::Settings {
            secure_cookie: args.saker_kaka || env_secure,
            trust_proxy: args.proxy,
        },
    })
    .map_err(|e| anyhow::anyhow!(e))?;
    Ok(ExitCode::SUCCESS)
}

fn read_password() -> anyhow::Result<String> {
    if let Ok(p) = std::env::var("RESURS_LOSENORD") {
        return Ok(p);
    }
    if std::io::stdin().is_terminal() {
        eprint!("Lösenord (minst {} tecken): ", resurs_app::users::MIN_PASSWORD);
    }
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .context("kunde inte läsa lösenordet")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

fn user_cmd(path: &DbLocation, actor: &resurs_app::Actor, what: UserCommand) -> anyhow::Result<ExitCode> {
    use resurs_app::users as auth;
    let mut store = open_existing(path)?;
    match what {
        UserCommand::Add { namn, roll, nod } => {
            let Some(r) = auth::Roll::parse(&roll) else {
                anyhow::bail!("--roll: värdet \"{roll}\", förväntade admin, ekonom, enhetschef eller läsare");
            };
            let pw = read_password()?;
            auth::add_user(&mut store, actor, &namn, r, nod.as_deref(), &pw)?;
            eprintln!("Användaren {namn} ({}) är tillagd.", r.name());
        }
        UserCommand::Passwd { namn } => {
            let pw = read_password()?;
            auth::set_password(&mut store, actor, &namn, &pw)?;
            eprintln!("Lösenordet för {namn} är bytt; hens sessioner är avslutade och API-nycklar återkallade.");
        }
        UserCommand::Tokens { namn } => {
            println!("{:<24} {:<24} {:<20} status", "användare", "etikett", "skapad");
            for t in store.tokens()? {
                if namn.as_ref().is_some_and(|n| *n != t.anvandare) {
                    continue;
                }
                println!(
                    "{:<24} {:<24} {:<20} {}",
                    t.anvandare,
                    t.namn,
                    t.skapad,
                    t.aterkallad.map_or("giltig".to_string(), |a| format!("återkallad {a}"))
                );
            }
        }
        UserCommand::TokenRevoke { namn, etikett } => {
            let n = auth::revoke_token(&mut store, actor, &namn, &etikett)?;
            eprintln!(
                "{n} API-{} \"{etikett}\" för {namn} återkallad{}.",
                if n == 1 { "nyckel" } else { "nycklar" },
                if n == 1 { "" } else { "e" }
            );
        }
        UserCommand::Deactivate { namn } => {
            let done = auth::set_active(&mut store, actor, &namn, false)?;
            eprintln!("{namn} är avaktiverad: {done}.");
        }
        UserCommand::Activate { namn } => {
            auth::set_active(&mut store, actor, &namn, true)?;
            eprintln!("{namn} är aktiverad.");
        }
        UserCommand::Role { namn, roll, nod } => {
            let Some(r) = auth::Roll::parse(&roll) else {
                anyhow::bail!("--roll: värdet \"{roll}\", förväntade admin, ekonom, enhetschef eller läsare");
            };
            let ended = auth::set_role(&mut store, actor, &namn, r, nod.as_deref())?;
            eprintln!("{namn} har rollen {}: {ended}.", r.name());
        }
        UserCommand::Unit { namn, nod } => {
            let ended = auth::set_unit(&mut store, actor, &namn, &nod)?;
            eprintln!("{namn} har nod {}: {ended}.", nod.trim());
        }
        UserCommand::Sessions { namn } => {
            let list = auth::sessions(&store, namn.as_deref())?;
            println!("{:<16} {:<24} {:<16} går ut", "id", "användare", "inloggad");
            for s in &list {
                println!(
                    "{:<16} {:<24} {:<16} {}",
                    s.id,
                    s.anvandare,
                    resurs_core::date::stockholm_of_unix(s.skapad),
                    resurs_core::date::stockholm_of_unix(s.utgar)
                );
            }
            eprintln!(
                "{} aktiva {} (svensk tid).",
                list.len(),
                if list.len() == 1 { "session" } else { "sessioner" }
            );
        }
        UserCommand::EndSession { id } => {
            let namn = auth::end_session(&mut store, actor, &id)?;
            eprintln!("Sessionen {} för {namn} är avslutad; hen är utloggad.", id.trim());
        }
        UserCommand::List => {
            println!("{:<24} {:<11} {:<8} aktiv", "användare", "roll", "nod");
            for u in store.users()? {
                println!(
                    "{:<24} {:<11} {:<8} {}",
                    u.namn,
                    u.roll,
                    u.nod.as_deref().unwrap_or("–"),
                    if u.aktiv { "ja" } else { "nej" }
                );
            }
        }
        UserCommand::Token { namn, etikett } => {
            let t = auth::issue_token(&mut store, actor, &namn, &etikett)?;
            eprintln!("API-nyckel för {namn} (visas bara nu):");
            println!("{t}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn open_existing(path: &DbLocation) -> anyhow::Result<Store> {
    if path.file().is_some_and(|f| !f.exists()) {
        anyhow::bail!(
            "databasen {} finns inte; skapa den med `resurs demo` eller `resurs import`",
            path
        );
    }
    open(path)
}

fn settle_command(path: &DbLocation, args: SettleArgs) -> anyhow::Result<ExitCode> {
    use resurs_app::settle;
    let mut store = open_existing(path)?;
    let settlement = if let Some(id) = args.visa {
        let s = if args.detail {
            settle::stored_detail(&store, id)?
        } else {
            settle::stored(&store, id)?
        };
        eprintln!("Sparad avräkning nummer {id}.");
        s
    } else {
        let raw = args.period.clone().unwrap_or_default();
        let Some(period) = resurs_core::period::Period::parse(&raw) else {
            anyhow::bail!("--period: värdet \"{raw}\", förväntade en månad ÅÅÅÅ-MM med år 1900–2100, t.ex. 2026-03");
        };
        if let Some(file) = &args.fran_fil {
            match settle::from_file(&store, period, file, args.detail)? {
                settle::FromFile::Refused(p) => {
                    eprint!(
                        "{}",
                        p.render()
                            .replace("importerades inte; inget har sparats", "kunde inte avräknas")
                    );
                    return Ok(ExitCode::from(1));
                }
                settle::FromFile::Done(s, stats) => {
                    eprintln!(
                        "Avräkning direkt från {}: {} rader lästa, {} utförda besök i {period}; körningen sparas inte.",
                        file.display(),
                        render::int(stats.rows as i64),
                        render::int(stats.used as i64)
                    );
                    if !s.ej_prissatt.is_empty() && !args.allow_uncovered {
                        eprint!("{}", render::uncovered(&s));
                        return Ok(ExitCode::from(1));
                    }
                    return print_settlement(s, &args);
                }
            }
        }
        let ts = resurs_app::now();
        match settle::run(&mut store, period, args.allow_uncovered, args.detail, &ts)? {
            settle::Outcome::Uncovered(s) => {
                eprint!("{}", render::uncovered(&s));
                return Ok(ExitCode::from(1));
            }
            settle::Outcome::Done {
                run,
                settlement,
                same_as,
            } => {
                match same_as {
                    Some((id, true)) => eprintln!(
                        "Avräkning sparad som nummer {run}; samma indata som nummer {id} och samma belopp på öret."
                    ),
                    Some((id, false)) => {
                        eprintln!("Avräkning sparad som nummer {run}; samma indata som nummer {id} men ANNAT belopp.")
                    }
                    None => eprintln!("Avräkning sparad som nummer {run}."),
                }
                settlement
            }
        }
    };
    print_settlement(settlement, &args)
}

fn print_settlement(settlement: resurs_core::rules::settle::Settlement, args: &SettleArgs) -> anyhow::Result<ExitCode> {
    let settlement = if args.detail {
        settlement
    } else {
        settlement.without_detail()
    };
    match args.format {
        SettleFormat::Tabell => print!("{}", render::settlement_table(&settlement)),
        SettleFormat::Json => println!("{}", serde_json::to_string_pretty(&settlement)?),
        SettleFormat::Csv => print!("{}", render::settlement_csv(&settlement)),
        SettleFormat::Xlsx => {
            let bytes = resurs_io::xlsx::settlement_statements(&settlement).context("kunde inte skapa xlsx-filen")?;
            match &args.output {
                Some(p) => {
                    std::fs::write(p, bytes).with_context(|| format!("kunde inte skriva {}", p.display()))?;
                    eprintln!("Avräkningsunderlaget skrevs till {}.", p.display());
                }
                None if !std::io::stdout().is_terminal() => {
                    use std::io::Write;
                    std::io::stdout().write_all(&bytes)?;
                }
                None => anyhow::bail!("xlsx skrivs inte till en terminal; ange --output FIL"),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn followup_cmd(path: &DbLocation, args: &FollowupArgs) -> anyhow::Result<ExitCode> {
    use resurs_core::followup::{Layout, Metod, Periodisering};
    let store = open_existing(path)?;
    let Some(layout) = Layout::parse(&args.layout) else {
        anyhow::bail!(
            "--layout: värdet \"{}\", förväntade kostnad eller resultat",
            args.layout
        );
    };
    let Some(metod) = Metod::parse(&args.metod) else {
        anyhow::bail!(
            "--metod: värdet \"{}\", förväntade utfall-budget, takt eller profil",
            args.metod
        );
    };
    let Some(periodisering) = Periodisering::parse(&args.periodisering) else {
        anyhow::bail!(
            "--periodisering: värdet \"{}\", förväntade jamn, dagar eller profil",
            args.periodisering
        );
    };
    let depth = match &args.djup {
        None => None,
        Some(d) => match resurs_core::followup::Depth::parse(d) {
            Some(x) => Some(x),
            None => {
                anyhow::bail!("--djup: värdet \"{d}\", förväntade nämnd, förvaltning, avdelning, ansvar eller konto")
            }
        },
    };
    if depth.is_some() && matches!(args.format, SettleFormat::Json | SettleFormat::Xlsx) {
        anyhow::bail!(
            "--djup gäller tabell och csv; json och xlsx har alltid alla rader (xlsx-formlerna summerar delarna)"
        );
    }
    let opts = resurs_app::followup::Options {
        period: month(&args.period)?,
        node: args.node.clone(),
        metod,
        periodisering,
        prognos: resurs_app::followup::Prognosval::parse(args.prognos.as_deref()),
        budget: args.budget.clone(),
        konton: args.konton,
        utan_specialposter: args.utan_specialposter,
    };
    let report = resurs_app::followup::report(&store, &opts)?;
    let table = resurs_app::followup::table(&report, layout, None).context("rapporten saknar rot")?;
    let shown: Vec<usize> = match depth {
        Some(d) => table.rows.down_to(d),
        None => (0..table.rows.rader.len()).collect(),
    };
    match args.format {
        SettleFormat::Tabell => print!("{}", render::followup_table(&table, &shown)),
        SettleFormat::Json => println!("{}", serde_json::to_string_pretty(&table)?),
        SettleFormat::Csv => print!("{}", render::followup_csv(&table, &shown)),
        SettleFormat::Xlsx => {
            let bytes = resurs_io::xlsx::followup_sheet(&table.rubrik, &table.beskrivning, &table.rows)
                .context("kunde inte skapa xlsx-filen")?;
            match &args.output {
                Some(p) => {
                    std::fs::write(p, bytes).with_context(|| format!("kunde inte skriva {}", p.display()))?;
                    eprintln!("Uppföljningen skrevs till {}.", p.display());
                }
                None if !std::io::stdout().is_terminal() => {
                    use std::io::Write;
                    std::io::stdout().write_all(&bytes)?;
                }
                None => anyhow::bail!("xlsx skrivs inte till en terminal; ange --output FIL"),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn kr(flag: &str, v: &str) -> anyhow::Result<resurs_core::num::Money> {
    resurs_core::num::Money::parse_sv(v)
        .map_err(|e| anyhow::anyhow!("--{flag}: värdet \"{v}\", förväntade {}", e.expected()))
}

fn intraprenad_cmd(path: &DbLocation, actor: &resurs_app::Actor, what: IntraprenadCommand) -> anyhow::Result<ExitCode> {
    use resurs_app::registers as reg;
    match what {
        IntraprenadCommand::Show { period, format } => {
            let store = open_existing(path)?;
            let r = reg::intraprenad(&store, month(&period)?)?;
            match format {
                Format::Tabell => print!("{}", render::intraprenad_table(&r)),
                Format::Json => println!("{}", serde_json::to_string_pretty(&r)?),
            }
        }
        IntraprenadCommand::Set {
            ansvar,
            year,
            ingaende,
            uttag,
            kommentar,
        } => {
            let mut store = open_existing(path)?;
            let inc = ingaende.as_deref().map(|v| kr("ingaende", v)).transpose()?;
            reg::set_intraprenad(&mut store, actor, &ansvar, year, inc, kr("uttag", &uttag)?, &kommentar)?;
            eprintln!("Intraprenad {ansvar} {year} sparad.");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn atgard_cmd(path: &DbLocation, actor: &resurs_app::Actor, what: AtgardCommand) -> anyhow::Result<ExitCode> {
    use resurs_app::registers as reg;
    match what {
        AtgardCommand::Add {
            slag,
            plan,
            node,
            year,
            atgard,
            planerad,
            hittills,
            prognos,
            kommentar,
        } => {
            let mut store = open_existing(path)?;
            let (p, h, f) = (
                kr("planerad", &planerad)?,
                kr("hittills", &hittills)?,
                kr("prognos", &prognos)?,
            );
            reg::set_measure(
                &mut store, actor, &slag, &plan, &node, year, &atgard, p, h, f, &kommentar,
            )?;
            eprintln!("Åtgärden \"{atgard}\" i \"{plan}\" sparad.");
        }
        AtgardCommand::List { year, format } => {
            let store = open_existing(path)?;
            let list = reg::measures(&store, year)?;
            match format {
                Format::Tabell => print!("{}", render::measures_table(year, &list)),
                Format::Json => println!("{}", serde_json::to_string_pretty(&list)?),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn statsbidrag_cmd(path: &DbLocation, actor: &resurs_app::Actor, what: StatsbidragCommand) -> anyhow::Result<ExitCode> {
    use resurs_app::registers as reg;
    match what {
        StatsbidragCommand::Add {
            namn,
            year,
            node,
            belopp,
            anvant,
            aterrapport,
            aterbetalning,
            kommentar,
        } => {
            let mut store = open_existing(path)?;
            reg::set_grant(
                &mut store,
                actor,
                &namn,
                year,
                &node,
                kr("belopp", &belopp)?,
                kr("anvant", &anvant)?,
                aterrapport.as_deref(),
                kr("aterbetalning", &aterbetalning)?,
                &kommentar,
            )?;
            eprintln!("Statsbidraget \"{namn}\" {year} sparat.");
        }
        StatsbidragCommand::List { year, format } => {
            let store = open_existing(path)?;
            let list = reg::grants(&store, year)?;
            match format {
                Format::Tabell => print!("{}", render::grants_table(year, &list)),
                Format::Json => println!("{}", serde_json::to_string_pretty(&list)?),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn investering_cmd(path: &DbLocation, actor: &resurs_app::Actor, what: InvesteringCommand) -> anyhow::Result<ExitCode> {
    use resurs_app::registers as reg;
    match what {
        InvesteringCommand::Add {
            projekt,
            year,
            node,
            budget,
            utfall,
            kommentar,
        } => {
            let mut store = open_existing(path)?;
            reg::set_investment(
                &mut store,
                actor,
                &projekt,
                year,
                &node,
                kr("budget", &budget)?,
                kr("utfall", &utfall)?,
                &kommentar,
            )?;
            eprintln!("Investeringen \"{projekt}\" {year} sparad.");
        }
        InvesteringCommand::List { year, format } => {
            let store = open_existing(path)?;
            let list = reg::investments(&store, year)?;
            match format {
                Format::Tabell => print!("{}", render::investments_table(year, &list)),
                Format::Json => println!("{}", serde_json::to_string_pretty(&list)?),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn forecast_cmd(path: &DbLocation, actor: &resurs_app::Actor, what: ForecastCommand) -> anyhow::Result<ExitCode> {
    use resurs_app::followup as fu;
    match what {
        ForecastCommand::Set {
            version,
            period,
            node,
            belopp,
            kommentar,
        } => {
            let mut store = open_existing(path)?;
            let amount = kr("belopp", &belopp)?;
            let now = resurs_app::now();
            fu::set_forecast(
                &mut store,
                actor,
                &version,
                month(&period)?,
                &node,
                amount,
                &kommentar,
                &now,
            )?;
            eprintln!(
                "Prognosen för {node} sparades i \"{version}\" ({period}): {}.",
                amount.fmt_kr()
            );
        }
        ForecastCommand::List { year, format } => {
            let store = open_existing(path)?;
            let list = fu::list(&store, year)?;
            match format {
                Format::Tabell => print!("{}", render::forecast_list(year, &list)),
                Format::Json => println!("{}", serde_json::to_string_pretty(&list)?),
            }
        }
        ForecastCommand::Compare { year, a, b, format } => {
            let store = open_existing(path)?;
            let c = fu::compare(&store, year, &a, &b)?;
            match format {
                Format::Tabell => print!("{}", render::forecast_compare(&c)),
                Format::Json => println!("{}", serde_json::to_string_pretty(&c)?),
            }
        }
        ForecastCommand::Accuracy { year, format } => {
            let store = open_existing(path)?;
            let a = fu::accuracy(&store, year)?;
            match format {
                Format::Tabell => print!("{}", render::forecast_accuracy(year, &a)),
                Format::Json => println!("{}", serde_json::to_string_pretty(&a)?),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn rate_input(a: &RateArgs) -> anyhow::Result<resurs_core::rules::selfcost::Input> {
    use resurs_core::num::{Money, NumError, Qty};
    use resurs_core::rules::Share;
    fn get<T>(flag: &str, v: &str, f: impl Fn(&str) -> Result<T, NumError>) -> anyhow::Result<T> {
        f(v).map_err(|e| anyhow::anyhow!("--{flag}: värdet \"{v}\", förväntade {}", e.expected()))
    }
    Ok(resurs_core::rules::selfcost::Input {
        monthly_salary: get("manadslon", &a.manadslon, Money::parse_sv)?,
        on_cost: get("po", &a.po, Share::from_percent_sv)?,
        annual_hours: get("arsarbetstid", &a.arsarbetstid, Qty::parse_sv)?,
        ob_per_hour: get("ob", &a.ob, Money::parse_sv)?,
        overhead_share: get("omkostnad-procent", &a.omkostnad_procent, Share::from_percent_sv)?,
        overhead_per_hour: get("omkostnad-kr", &a.omkostnad_kr, Money::parse_sv)?,
        brukartidsandel: get("brukartidsandel", &a.brukartidsandel, Share::from_fraction_sv)?,
    })
}

fn report_import(kind: Kind, file: &Path, outcome: Outcome) -> ExitCode {
    let name = file
        .file_name()
        .map_or_else(|| file.display().to_string(), |n| n.to_string_lossy().into_owned());
    match outcome {
        Outcome::Imported {
            rows,
            added,
            new_brukare,
            encoding,
            unused_columns,
        } => {
            let mut msg = format!(
                "Importerade {name} ({}): {} rader, {} tillagda",
                kind.name(),
                render::int(rows as i64),
                render::int(added as i64)
            );
            if new_brukare > 0 {
                msg.push_str(&format!(
                    ", {} nya brukare (pseudonymiserade)",
                    render::int(new_brukare as i64)
                ));
            }
            println!("{msg}. Teckenkodning: {encoding}.");
            if !unused_columns.is_empty() {
                println!("Kolumner som inte används: {}.", unused_columns.join(", "));
            }
            ExitCode::SUCCESS
        }
        Outcome::AlreadyImported { filnamn, importerad } => {
            println!("Filen {name} har redan importerats ({importerad}, som {filnamn}) med exakt samma innehåll; inget lades till.");
            ExitCode::SUCCESS
        }
        Outcome::Refused(problems) => {
            eprint!("{}", problems.render());
            ExitCode::from(1)
        }
    }
}

/// Whether stderr is a terminal (progress bars only then).
pub fn stderr_is_terminal() -> bool {
    std::io::stderr().is_terminal()
}
