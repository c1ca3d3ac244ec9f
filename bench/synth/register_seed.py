"""The demo's register work: what the editors wrote for the confirmed systems, as seed decisions.

For each confirmed system of the demo, an editor fills the register entry (first from the supplier's
template where the register offers one, then by hand), releases it, and another reviewer (the
approver) publishes it: ``edit``, ``release`` and ``publish`` decisions naming the system's source
records (system ids do not exist before the first run). Long texts are plain text or Markdown, as
editors type them; aigrip converts them to the register's HTML. The texts are fictional but written
as a municipality would (Voorbeeldstad does not exist).
"""

from __future__ import annotations

from transforms.publish.templates import template_by_id, template_fields

__all__ = ["REGISTER_TEXTS", "register_events", "EDITOR", "APPROVER"]

EDITOR, APPROVER = "redacteur", "fg"  # usernames of the demo's reviewers (aigrip.yaml)

W = "https://wetten.overheid.nl/"
REGISTER_TEXTS: dict[str, tuple[str | None, dict]] = {
 "risico_bijstand": (None, {
   "name": "Risicoscoremodel rechtmatigheid bijstand",
   "description_short": "Een model dat per bijstandsdossier een risicoscore berekent, zodat consulenten heronderzoeken richten op dossiers met de grootste kans op een onrechtmatige uitkering. Het model beslist niets: een consulent beoordeelt elk dossier.",
   "category": ["Sociale zekerheid", "Werk"],
   "begin_date": "2024-02",
   "website": "https://www.voorbeeldstad.nl/algoritmes/risicoscoremodel-bijstand",
   "url": "https://www.voorbeeldstad.nl/algoritmeregister/risicoscoremodel-bijstand.json",
   "goal": "Heronderzoeken richten op dossiers waar de kans op een onrechtmatige uitkering het grootst is.\n\nInwoners met een bijstandsuitkering merken er alleen iets van als hun dossier voor een heronderzoek wordt gekozen: dan neemt een consulent contact op. Het model zelf neemt geen besluit over een uitkering.",
   "proportionality": "Zonder model kiest de gemeente dossiers voor heronderzoek steekproefsgewijs; dat kost veel inwoners onnodig tijd en zorg. Het model maakt de selectie gerichter. Daartegenover staan risico's op onterechte verdenking en discriminatie. Daarom gebruikt het model geen nationaliteit, geboorteland, leeftijd, geslacht of postcode, toetst de gemeente elk halfjaar op ongelijke uitkomsten en blijft een deel van de heronderzoeken willekeurig gekozen.",
   "human_intervention": "Het model geeft alleen een volgorde van dossiers. Een consulent bekijkt elk gekozen dossier, bepaalt of een heronderzoek nodig is en bespreekt de uitkomst met de inwoner. Een besluit over de uitkering neemt altijd een medewerker, volgens de Participatiewet en de Algemene wet bestuursrecht.",
   "risks": "- Onterechte verdenking: een score is geen bewijs; consulenten volgen een werkinstructie en registreren waarom zij een dossier (niet) onderzoeken.\n- Discriminatie: het model gebruikt geen afkomst, nationaliteit, leeftijd, geslacht of postcode; elk halfjaar toetst een onafhankelijke partij de uitkomsten per groep.\n- Verouderd model: het model wordt jaarlijks opnieuw gevalideerd en stopt als de voorspelkracht onder de afgesproken grens zakt.",
   "lawful_basis": "De gemeente moet volgens de Participatiewet het recht op bijstand vaststellen en onrechtmatige uitkeringen terugvorderen (artikel 17 en 53a). Persoonsgegevens worden verwerkt op grond van artikel 6, eerste lid, onder e, van de AVG (taak van algemeen belang).",
   "lawful_basis_grouping": [{"title": "Participatiewet", "link": W + "BWBR0015703/"}, {"title": "Algemene verordening gegevensbescherming", "link": "https://eur-lex.europa.eu/eli/reg/2016/679/oj"}],
   "process_index_url": "https://www.voorbeeldstad.nl/privacy/verwerkingsregister#bijstand",
   "impacttoetsen_grouping": [{"title": "Data Protection Impact Assessment (DPIA)", "link": "https://www.voorbeeldstad.nl/privacy/dpia-risicoscoremodel.pdf"}, {"title": "Impact Assessment Mensenrechten en Algoritmes (IAMA)", "link": "https://www.voorbeeldstad.nl/algoritmes/iama-risicoscoremodel.pdf"}],
   "impacttoetsen": "DPIA uitgevoerd in januari 2024 en herzien in 2025. IAMA uitgevoerd met een externe begeleider in december 2023; de aanbevelingen (geen postcode als kenmerk, halfjaarlijkse toets op ongelijke uitkomsten) zijn overgenomen.",
   "source_data": "Gegevens uit het bijstandsdossier: duur van de uitkering, eerdere wijzigingen in inkomen en woonsituatie, eerdere heronderzoeken en hun uitkomst. Geen gegevens over afkomst, nationaliteit, leeftijd, geslacht of woonwijk.",
   "source_data_grouping": [{"title": "Suwinet", "link": "https://www.bkwi.nl/producten/suwinet-inkijk"}, {"title": "Basisregistratie Personen (BRP)", "link": "https://www.rvig.nl/basisregistratie-personen"}],
   "methods_and_models": "Een gradient-boosting-model (beslisbomen) dat is getraind op de uitkomsten van eerdere heronderzoeken. Het model geeft per dossier een score tussen 0 en 1; de consulent ziet de score met de drie kenmerken die er het meest aan bijdroegen. De leverancier documenteert het model in een modelkaart; de gemeente valideert het jaarlijks.",
   "provider": "DataWijs Analytics B.V.",
   "tags": "bijstand, heronderzoek, risicoscore, rechtmatigheid, Participatiewet",
 }),
 "woz_taxatie": ("centric-belastingen-woz", {
   "category": ["Overheidsfinanciën", "Wonen"],
   "begin_date": "2019-01",
   "website": "https://www.voorbeeldstad.nl/woz",
   "url": "https://www.voorbeeldstad.nl/algoritmeregister/woz-taxatiemodel.json",
   "risks": "- Een onjuiste waarde: inwoners kunnen hun taxatieverslag inzien en kosteloos bezwaar maken.\n- Verouderde kenmerken van een woning: de gemeente controleert de kenmerken jaarlijks met de BAG en luchtfoto's.\n- De Waarderingskamer houdt toezicht op de kwaliteit van de WOZ-uitvoering.",
   "process_index_url": "https://www.voorbeeldstad.nl/privacy/verwerkingsregister#woz",
   "source_data": "Verkoopprijzen van woningen (Kadaster), kenmerken van woningen (BAG en eigen opname: oppervlakte, bouwjaar, ligging, onderhoud) en eerdere WOZ-waarden.",
   "source_data_grouping": [{"title": "Basisregistratie Adressen en Gebouwen (BAG)", "link": "https://www.kadaster.nl/zakelijk/registraties/basisregistraties/bag"}, {"title": "Basisregistratie WOZ", "link": "https://www.waarderingskamer.nl/"}],
   "tags": "WOZ, taxatie, woningwaarde, belastingen, OZB",
 }),
 "anpr_milieuzone": ("brickyard-milieuzone", {
   "category": ["Verkeer", "Natuur en milieu"],
   "begin_date": "2022-01",
   "website": "https://www.voorbeeldstad.nl/milieuzone",
   "url": "https://www.voorbeeldstad.nl/algoritmeregister/milieuzone.json",
   "process_index_url": "https://www.voorbeeldstad.nl/privacy/verwerkingsregister#milieuzone",
   "tags": "milieuzone, ANPR, kentekencamera, handhaving, luchtkwaliteit",
 }),
 "woo_anonimiseren": ("octobox-anonimiseren", {
   "category": ["Organisatie en bedrijfsvoering"],
   "begin_date": "2023-06",
   "website": "https://www.voorbeeldstad.nl/woo",
   "url": "https://www.voorbeeldstad.nl/algoritmeregister/anonimiseren.json",
   "process_index_url": "https://www.voorbeeldstad.nl/privacy/verwerkingsregister#woo",
   "tags": "anonimiseren, lakken, Woo, openbaarmaking, persoonsgegevens",
 }),
 "chatbot_gem": ("gemeente-tilburg-virtuele-gemeente-assistent-gem", {
   "category": ["Organisatie en bedrijfsvoering"],
   "begin_date": "2021-09",
   "website": "https://www.voorbeeldstad.nl/gem",
   "url": "https://www.voorbeeldstad.nl/algoritmeregister/gem.json",
   "source_data": "De vraag die een inwoner in het chatvenster typt en de antwoorden uit de kennisbank van de gemeente. Gem vraagt niet naar een naam, BSN of adres en bewaart gesprekken 30 dagen zonder gegevens die naar een persoon te herleiden zijn.",
   "source_data_grouping": [{"title": "Kennisbank Gem-samenwerking", "link": "https://www.gem.nl/"}],
   "lawful_basis_grouping": [{"title": "Algemene wet bestuursrecht (artikel 2:1, elektronisch verkeer)", "link": W + "BWBR0005537/"}],
   "impacttoetsen_grouping": [{"title": "Pre-scan DPIA", "link": "https://www.voorbeeldstad.nl/privacy/prescan-gem.pdf"}],
   "impacttoetsen": "Een pre-scan DPIA (2021) liet zien dat Gem geen persoonsgegevens vraagt of bewaart die naar een inwoner te herleiden zijn; een volledige DPIA was daarom niet nodig. Een IAMA is niet uitgevoerd: Gem geeft informatie en neemt geen besluiten.",
   "process_index_url": "https://www.voorbeeldstad.nl/privacy/verwerkingsregister#kcc",
   "tags": "chatbot, Gem, virtuele assistent, klantcontact",
 }),
 "scanauto_parkeren": (None, {
   "name": "Scanauto parkeercontrole",
   "description_short": "Een scanauto leest kentekens van geparkeerde auto's en controleert of er voor die plek parkeerrecht is. Is er geen parkeerrecht gevonden, dan controleert een handhaver ter plaatse voordat er een naheffingsaanslag komt.",
   "category": ["Verkeer", "Openbare orde en veiligheid"],
   "begin_date": "2020-04",
   "website": "https://www.voorbeeldstad.nl/parkeren/scanauto",
   "url": "https://www.voorbeeldstad.nl/algoritmeregister/scanauto.json",
   "goal": "Efficiënt controleren of voor geparkeerde voertuigen is betaald of een vergunning geldt, zodat parkeerplekken eerlijk verdeeld worden.\n\nBestuurders die niet betaald hebben, kunnen een naheffingsaanslag krijgen; dat besluit neemt een handhaver.",
   "proportionality": "Met een scanauto kan de gemeente veel meer straten controleren dan te voet, tegen lagere kosten. Kentekens van voertuigen met parkeerrecht worden direct verwijderd; foto's van overtreders worden na afhandeling van bezwaar en beroep vernietigd.",
   "human_intervention": "Vindt de scanauto geen parkeerrecht, dan gaat een handhaver ter plaatse kijken (bijvoorbeeld naar een gehandicaptenparkeerkaart of laden en lossen) en beslist of een naheffingsaanslag wordt opgelegd.",
   "risks": "- Onjuist gelezen kentekens: een handhaver controleert elke mogelijke overtreding.\n- Privacy: gegevens van voertuigen met parkeerrecht worden direct verwijderd; andere gegevens na de bewaartermijn.\n- Bezwaar: iedereen kan bezwaar maken en de foto's opvragen.",
   "lawful_basis": "Gemeentewet artikel 225 en 234 (parkeerbelastingen en naheffingsaanslag) en de Verordening parkeerbelastingen Voorbeeldstad.",
   "lawful_basis_grouping": [{"title": "Gemeentewet", "link": W + "BWBR0005416/"}],
   "process_index_url": "https://www.voorbeeldstad.nl/privacy/verwerkingsregister#parkeren",
   "impacttoetsen_grouping": [{"title": "Data Protection Impact Assessment (DPIA)", "link": "https://www.voorbeeldstad.nl/privacy/dpia-scanauto.pdf"}],
   "impacttoetsen": "DPIA uitgevoerd in 2020 en herzien in 2024. Een IAMA is niet uitgevoerd: de scanauto neemt geen besluit zonder handhaver.",
   "source_data": "Kentekens en locaties van geparkeerde voertuigen, parkeerrechten uit het Nationaal Parkeerregister en vergunningen van de gemeente.",
   "source_data_grouping": [{"title": "Nationaal Parkeerregister", "link": "https://www.nationaalparkeerregister.nl/"}],
   "methods_and_models": "Camera's met kentekenherkenning (ANPR) lezen het kenteken; de software vergelijkt het met de parkeerrechten voor die locatie en dat tijdstip. Alleen een mogelijke overtreding gaat door naar een handhaver.",
   "provider": "ParkScan Mobility B.V.",
   "tags": "parkeren, scanauto, kentekenherkenning, naheffing",
 }),
 "spraak_verslag": (None, {
   "name": "Automatische verslaglegging raadsvergaderingen",
   "description_short": "Spraakherkenning zet de opname van openbare raads- en commissievergaderingen om in een conceptverslag. De griffie controleert en corrigeert het verslag voordat het wordt gepubliceerd.",
   "category": ["Organisatie en bedrijfsvoering"],
   "begin_date": "2024-09",
   "goal": "Verslagen van openbare vergaderingen sneller beschikbaar maken.",
   "human_intervention": "Een medewerker van de griffie controleert elk conceptverslag en corrigeert het voordat het wordt vastgesteld en gepubliceerd.",
   "risks": "Fouten in de herkenning van namen en vaktermen: de griffie controleert elk verslag. Opnames worden na vaststelling van het verslag verwijderd.",
   "source_data": "Geluidsopnames van openbare vergaderingen van de gemeenteraad en de raadscommissies.",
   "methods_and_models": "Automatische spraakherkenning met een taalmodel voor het Nederlands; sprekers worden herkend aan de microfoon die zij gebruiken.",
   "provider": "Notulia Spraaktechnologie B.V.",
   "lawful_basis": "Gemeentewet artikel 19 en het Reglement van orde van de gemeenteraad.",
 }),
 "copilot": (None, {
   "description_short": "Een AI-assistent in Word, Outlook en Teams die medewerkers helpt teksten te schrijven, samen te vatten en informatie te zoeken. Medewerkers blijven verantwoordelijk voor wat zij versturen of vastleggen.",
   "category": ["Organisatie en bedrijfsvoering"],
   "begin_date": "2025-03",
   "goal": "Medewerkers ondersteunen bij het schrijven en samenvatten van teksten.",
   "human_intervention": "Copilot doet voorstellen; een medewerker beoordeelt en past elke tekst aan voordat die wordt gebruikt. Copilot wordt niet gebruikt voor besluiten over inwoners.",
   "risks": "Onjuiste of verzonnen informatie en het delen van vertrouwelijke gegevens: medewerkers volgen de richtlijn generatieve AI en een training AI-geletterdheid.",
   "provider": "Microsoft Ireland Operations Ltd",
 }),
}


def register_events(labels: list[str], keys: dict[str, list[str]], first_number: int) -> list[dict]:
    """Seed decisions (edit from template, edit by hand, release, publish) for the confirmed systems."""
    events: list[dict] = []

    def add(action: str, reviewer: str, key: str, fields: dict | None, reason: str, at: str) -> None:
        events.append({"event_id": f"seed-{first_number + len(events):04d}", "at": at, "reviewer": reviewer,
                       "action": action, "system_id": None, "source_keys": [key], "fields": fields,
                       "reason": reason})

    day = 20
    for label in labels:
        if label not in REGISTER_TEXTS or not keys.get(label):
            continue
        template_id, texts = REGISTER_TEXTS[label]
        key = keys[label][0]
        if template_id:
            t = template_by_id(template_id)
            fill = {k: v for k, v in template_fields(t).items() if k != "name"} | {"template_id": t["id"]}
            add("edit", EDITOR, key, fill, f"Sjabloon van {t['supplier']}: '{t['name']}'", f"2026-10-{day}T09:00:00+00:00")
        add("edit", EDITOR, key, dict(texts), "Registertekst aangevuld door de redactie", f"2026-10-{day}T10:30:00+00:00")
        add("release", EDITOR, key, None, "Gecontroleerd en vrijgegeven voor publicatie", f"2026-10-{day}T12:00:00+00:00")
        add("publish", APPROVER, key, None, "Goedgekeurd voor het openbare register", f"2026-10-{day + 1}T10:15:00+00:00")
        day += 1
    return events
