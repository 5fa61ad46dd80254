"""Realistic people for a large organisation: names by origin, places, fields, titles and skills.

`People(...).row(i)` gives the i-th candidate's columns (`COLUMNS`) and skill ids, the same for the
same seed; `candidates.seeding.write` stores them.
"""

from __future__ import annotations

import string
import time
import unicodedata
from bisect import bisect
from datetime import UTC, datetime
from itertools import accumulate
from random import Random

from candidates.normalise import INDUSTRIES

# Names by origin, most common first (earlier names are drawn more often); "_" stands for a space.
NAMES = {  # locale: (weight, first names, last names)
    "en": (30, "James John Mary Sarah Michael Emma David Olivia Robert Jennifer William Emily Richard Jessica Thomas "
               "Daniel Sophie Matthew Charlotte Christopher Hannah Andrew Amelia Joshua Grace Ryan Chloe Oliver Lucy "
               "Jack Megan Harry Zoë George Isla Samuel Ava Liam Ella Noah Patricia Ethan Linda",
           "Smith Johnson Williams Brown Jones Taylor Davies Miller Wilson Evans Thomas Moore Anderson Jackson White "
           "Harris Martin Thompson Clarke Walker Wright Robinson Hall Green Lewis Hughes Edwards O'Brien Murphy "
           "Kelly Campbell Stewart MacDonald Scott Young King Baker Cooper"),
    "es": (10, "José María Juan Lucía Carlos Carmen Javier Sofía Alejandro Marta Miguel Ana Pablo Paula Sergio Laura "
               "Diego Elena Álvaro Isabel Andrés Valentina Mateo Camila Ramón Inés Jesús Rocío Íñigo Begoña",
           "García Fernández González Rodríguez López Martínez Sánchez Pérez Gómez Martín Jiménez Ruiz Hernández "
           "Díaz Moreno Muñoz Álvarez Romero Alonso Gutiérrez Navarro Torres Domínguez Vázquez Ramos Gil Ramírez "
           "Serrano Blanco Suárez Castillo Ortega Rubio Núñez Peña"),
    "fr": (8, "Jean Marie Pierre Camille Louis Léa Hugo Chloé Lucas Manon Théo Inès Mathis Élodie François Amélie "
              "Antoine Céline Benoît Hélène Jérôme Margaux Gaël Noémie Julien Océane Clément Maëlle Raphaël Anaïs",
          "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent Lefèvre Michel "
          "Garcia David Bertrand Roux Vincent Fournier Morel Girard André Mercier Dupont Lambert Bonnet François "
          "Faure Rousseau Blanc Guérin Chevalier"),
    "de": (8, "Lukas Anna Maximilian Lena Felix Leonie Jonas Hannah Paul Lea Leon Mia Elias Johanna Finn Marie "
              "Niklas Katharina Tobias Jürgen Jörg Sören Björn Uwe Günther Käthe Ute Sabine Stefan Matthias",
          "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Schäfer Koch Bauer Richter "
          "Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger Hofmann Hartmann Lange Schmitt Werner "
          "Krause Meier Lehmann Köhler Weiß Jäger Groß Vogel"),
    "it": (5, "Giuseppe Francesca Marco Giulia Alessandro Chiara Luca Sara Matteo Martina Lorenzo Alessia Andrea "
              "Federica Davide Elisa Niccolò Beatrice Gabriele Silvia Riccardo Valentina Stefano Ilaria Tommaso",
          "Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco Bruno Gallo Conti De_Luca Costa "
          "Giordano Mancini Rizzo Lombardi Moretti Barbieri Fontana Santoro Mariani Rinaldi Caruso Ferrara Galli"),
    "pt": (6, "João Maria Pedro Ana Gabriel Beatriz Lucas Júlia Rafael Mariana Tiago Inês Gonçalo Leonor Matheus "
              "Larissa Thiago Letícia Vitória Caio Luíza Bruno Camila Felipe Sebastião Conceição",
          "Silva Santos Ferreira Pereira Oliveira Costa Rodrigues Martins Sousa Fernandes Gonçalves Gomes Lopes "
          "Marques Alves Almeida Ribeiro Pinto Carvalho Teixeira Moreira Correia Mendes Nunes Soares Araújo "
          "Barbosa Rocha Lima Magalhães Simões Brandão"),
    "nl": (3, "Daan Emma Sem Julia Lucas Sophie Levi Tess Finn Anna Milan Fleur Bram Sanne Thijs Lotte Jeroen "
              "Marieke Pieter Joost Femke Ruud Maarten Ilse",
          "de_Jong Jansen de_Vries van_den_Berg van_Dijk Bakker Janssen Visser Smit Meijer de_Boer Mulder de_Groot "
          "Bos Vos Peters Hendriks van_Leeuwen Dekker Brouwer de_Wit Dijkstra Smits de_Graaf van_der_Meer"),
    "nordic": (4, "Erik Anna Lars Ingrid Johan Astrid Anders Sofia Nils Freja Søren Maja Magnus Sigrid Björn "
                  "Linnéa Oskar Elin Mikkel Signe Åsa Jens Kirsten Henrik Jörgen Pål Ørjan",
              "Johansson Andersson Karlsson Nilsson Eriksson Larsson Olsson Persson Svensson Gustafsson Jensen "
              "Nielsen Hansen Pedersen Andersen Christensen Larsen Sørensen Rasmussen Jørgensen Johansen Olsen "
              "Berg Haugen Hagen Virtanen Korhonen Mäkinen Nieminen Mäkelä Hämäläinen Lindström Åberg Öberg"),
    "pl": (4, "Jakub Anna Kacper Zofia Szymon Maja Mateusz Julia Bartosz Aleksandra Michał Zuzanna Wojciech "
              "Natalia Łukasz Małgorzata Paweł Agnieszka Krzysztof Katarzyna Grzegorz Magdalena Tomasz Joanna "
              "Piotr Ewa Jędrzej Bożena",
          "Nowak Kowalski Wiśniewski Wójcik Kowalczyk Kamiński Lewandowski Zieliński Szymański Woźniak Dąbrowski "
          "Kozłowski Jankowski Mazur Kwiatkowski Krawczyk Piotrowski Grabowski Nowakowski Pawłowski Michalski "
          "Król Wieczorek Jabłoński Wróbel Zając Stępień Górski"),
    "in": (10, "Aarav Ananya Vivaan Diya Aditya Saanvi Arjun Priya Rohan Aisha Vikram Kavya Rahul Neha Amit Pooja "
               "Sanjay Deepika Karthik Lakshmi Siddharth Meera Rajesh Sunita Arun Divya Harish Shreya Nikhil "
               "Anjali Suresh Ishaan",
           "Sharma Verma Gupta Singh Kumar Patel Reddy Iyer Nair Rao Joshi Mehta Shah Desai Menon Pillai "
           "Chatterjee Banerjee Mukherjee Das Bose Kapoor Malhotra Agarwal Bhat Kulkarni Naidu Srinivasan "
           "Krishnan Subramanian Chopra Saxena"),
    "zh": (6, "Wei Fang Jun Hao Xin Lei Jing Yang Mei Jie Ying Lan Tao Yan Ming Hui Bo Xiu Qiang Ling Zhiwei "
              "Xiaoming Yiming Jiahui Zihan Yuxuan Haoran Shuang",
          "Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Lin Gao Luo Zheng Liang Xie "
          "Song Tang Han Feng Deng Cao Peng Zeng Xiao Tian Dong Pan"),
    "ja": (3, "Haruto Yui Sota Hina Yuto Aoi Riku Mei Kaito Sakura Takumi Yuna Ren Rin Hiroshi Yuki Kenji Akiko "
              "Takeshi Naoko Shōta Yōko Kōji Ryōta",
          "Satō Suzuki Takahashi Tanaka Watanabe Itō Yamamoto Nakamura Kobayashi Katō Yoshida Yamada Sasaki "
          "Yamaguchi Matsumoto Inoue Kimura Hayashi Shimizu Yamazaki Mori Abe Ikeda Hashimoto Ishikawa Gotō"),
    "africa": (3, "Chinedu Ngozi Emeka Adaeze Oluwaseun Funmilayo Tunde Yetunde Kwame Ama Kofi Abena Wanjiru Kamau "
                  "Achieng Otieno Thabo Lerato Sipho Nomvula Chiamaka Ifeanyi Babajide Folake Nnamdi Zanele",
              "Okafor Adeyemi Okonkwo Eze Nwosu Balogun Adebayo Ogunleye Mensah Asante Owusu Boateng Mwangi "
              "Ochieng Kariuki Njoroge Nkosi Dlamini Ndlovu Mokoena Obi Chukwu Abiodun Nwachukwu Okoro Osei"),
    "ar": (3, "Mohammed Fatima Ahmed Aisha Omar Mariam Ali Nour Youssef Layla Khaled Sara Hassan Yasmin Ibrahim "
              "Huda Mustafa Rania Karim Salma Tariq Leila Hamza Dina Amir Zainab",
          "Al-Sayed Hassan Ali Mahmoud Ibrahim Abdullah Haddad Khalil Nasser Saleh Farouk Mansour Aziz Rahman "
          "Hamdan Barakat Qureshi Suleiman Darwish El-Masri Abboud Karam Said Hariri Yousef Othman"),
    "tr": (2, "Mehmet Ayşe Mustafa Fatma Ahmet Emine Ali Zeynep Hüseyin Elif Hasan Hatice Emre Özlem Burak Gülşen "
              "Can Şule Murat Çağla İbrahim Ömer Gökhan Büşra",
          "Yılmaz Kaya Demir Şahin Çelik Yıldız Yıldırım Öztürk Aydın Özdemir Arslan Doğan Kılıç Aslan Çetin "  # noqa: RUF001
          "Kara Koç Kurt Özkan Şimşek Polat Erdoğan Korkmaz Güneş"),
    "vi": (2, "Anh Linh Minh Trang Huy Hương Tuấn Lan Dũng Thảo Hải Ngọc Quang Mai Đức Phương Long Hà Khoa Vy "
              "Thành Nhung Bảo Châu",
          "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đinh Trịnh Lâm"),
}  # fmt: skip

# Where people of each origin mostly live: "City|Region|Country|Time zone", ";"-separated.
PLACES = {
    "en": "London|England|GB|Europe/London;Manchester|England|GB|Europe/London;Edinburgh|Scotland|GB|Europe/London;"
          "New York|New York|US|America/New_York;San Francisco|California|US|America/Los_Angeles;"
          "Austin|Texas|US|America/Chicago;Seattle|Washington|US|America/Los_Angeles;Boston|Massachusetts|US|"
          "America/New_York;Chicago|Illinois|US|America/Chicago;Denver|Colorado|US|America/Denver;"
          "Toronto|Ontario|CA|America/Toronto;Sydney|New South Wales|AU|Australia/Sydney;"
          "Melbourne|Victoria|AU|Australia/Melbourne;Dublin|Leinster|IE|Europe/Dublin",
    "es": "Madrid|Comunidad de Madrid|ES|Europe/Madrid;Barcelona|Cataluña|ES|Europe/Madrid;"
          "València|Comunitat Valenciana|ES|Europe/Madrid;Ciudad de México|CDMX|MX|America/Mexico_City;"
          "Buenos Aires|Buenos Aires|AR|America/Argentina/Buenos_Aires;Bogotá|Cundinamarca|CO|America/Bogota;"
          "Santiago|Región Metropolitana|CL|America/Santiago",
    "fr": "Paris|Île-de-France|FR|Europe/Paris;Lyon|Auvergne-Rhône-Alpes|FR|Europe/Paris;"
          "Toulouse|Occitanie|FR|Europe/Paris;Montréal|Québec|CA|America/Toronto;Bruxelles|Bruxelles|BE|Europe/Brussels",
    "de": "Berlin|Berlin|DE|Europe/Berlin;München|Bayern|DE|Europe/Berlin;Hamburg|Hamburg|DE|Europe/Berlin;"
          "Zürich|Zürich|CH|Europe/Zurich;Wien|Wien|AT|Europe/Vienna",
    "it": "Milano|Lombardia|IT|Europe/Rome;Roma|Lazio|IT|Europe/Rome;Torino|Piemonte|IT|Europe/Rome",
    "pt": "Lisboa|Lisboa|PT|Europe/Lisbon;Porto|Porto|PT|Europe/Lisbon;São Paulo|São Paulo|BR|America/Sao_Paulo;"
          "Rio de Janeiro|Rio de Janeiro|BR|America/Sao_Paulo",
    "nl": "Amsterdam|Noord-Holland|NL|Europe/Amsterdam;Rotterdam|Zuid-Holland|NL|Europe/Amsterdam;"
          "Utrecht|Utrecht|NL|Europe/Amsterdam",
    "nordic": "Stockholm|Stockholm|SE|Europe/Stockholm;Göteborg|Västra Götaland|SE|Europe/Stockholm;"
              "København|Hovedstaden|DK|Europe/Copenhagen;Oslo|Oslo|NO|Europe/Oslo;Helsinki|Uusimaa|FI|Europe/Helsinki",
    "pl": "Warszawa|Mazowieckie|PL|Europe/Warsaw;Kraków|Małopolskie|PL|Europe/Warsaw;"
          "Wrocław|Dolnośląskie|PL|Europe/Warsaw;Gdańsk|Pomorskie|PL|Europe/Warsaw",
    "in": "Bengaluru|Karnataka|IN|Asia/Kolkata;Mumbai|Maharashtra|IN|Asia/Kolkata;Hyderabad|Telangana|IN|Asia/Kolkata;"
          "Pune|Maharashtra|IN|Asia/Kolkata;Chennai|Tamil Nadu|IN|Asia/Kolkata;New Delhi|Delhi|IN|Asia/Kolkata",
    "zh": "Shanghai|Shanghai|CN|Asia/Shanghai;Beijing|Beijing|CN|Asia/Shanghai;Shenzhen|Guangdong|CN|Asia/Shanghai;"
          "Singapore||SG|Asia/Singapore;Hong Kong||HK|Asia/Hong_Kong;Taipei||TW|Asia/Taipei",
    "ja": "Tokyo|Tokyo|JP|Asia/Tokyo;Osaka|Osaka|JP|Asia/Tokyo;Fukuoka|Fukuoka|JP|Asia/Tokyo",
    "africa": "Lagos|Lagos|NG|Africa/Lagos;Abuja|FCT|NG|Africa/Lagos;Nairobi|Nairobi|KE|Africa/Nairobi;"
              "Accra|Greater Accra|GH|Africa/Accra;Cape Town|Western Cape|ZA|Africa/Johannesburg",
    "ar": "Dubai|Dubai|AE|Asia/Dubai;Cairo|Cairo|EG|Africa/Cairo;Riyadh|Riyadh|SA|Asia/Riyadh;"
          "Amman|Amman|JO|Asia/Amman",
    "tr": "İstanbul|İstanbul|TR|Europe/Istanbul;Ankara|Ankara|TR|Europe/Istanbul;İzmir|İzmir|TR|Europe/Istanbul",
    "vi": "Hồ Chí Minh City|Hồ Chí Minh|VN|Asia/Ho_Chi_Minh;Hà Nội|Hà Nội|VN|Asia/Ho_Chi_Minh",
}  # fmt: skip
# Mobile numbers by country: (dialling code, first digits, length of the national number).
MOBILE_NUMBERS = {"GB": ("44", "7", 10), "US": ("1", "", 10), "CA": ("1", "", 10), "IE": ("353", "8", 9),
                  "AU": ("61", "4", 9), "DE": ("49", "15", 11), "FR": ("33", "6", 9), "ES": ("34", "6", 9),
                  "IN": ("91", "9", 10), "NL": ("31", "6", 9), "BR": ("55", "119", 11),
                  "PL": ("48", "5", 9)}  # fmt: skip

# Fields of work: (weight, job titles, skills). About 300 skills in all.
FIELDS = {
    "backend": (16, "Backend Engineer|Software Engineer|Python Developer|Java Developer|Full-Stack Developer|"
                    "API Engineer",
                "Python, Django, Flask, FastAPI, Java, Spring Boot, Kotlin, Go, Rust, Ruby, Ruby on Rails, PHP, "
                "Laravel, Node.js, Express, C#, .NET, Scala, Elixir, PostgreSQL, MySQL, Redis, MongoDB, "
                "Elasticsearch, Kafka, RabbitMQ, gRPC, REST APIs, GraphQL, Microservices, Celery, SQLAlchemy, "
                "Domain-Driven Design, Event Sourcing, System Design, Distributed Systems, C++"),
    "frontend": (12, "Frontend Engineer|Frontend Developer|UI Engineer|JavaScript Developer|Web Developer",
                 "JavaScript, TypeScript, React, Vue.js, Angular, Svelte, Next.js, Nuxt, HTML, CSS, Sass, "
                 "Tailwind CSS, Bootstrap, Redux, Webpack, Vite, Jest, Cypress, Playwright, Storybook, "
                 "Web Accessibility, Web Performance, htmx, D3.js, Three.js, WebGL"),
    "mobile": (5, "iOS Engineer|Android Developer|Mobile Engineer|Flutter Developer",
               "Swift, SwiftUI, Objective-C, Android, Jetpack Compose, iOS, React Native, Flutter, Dart, Xamarin, "
               "Mobile UX, App Store Optimization, Firebase, Kotlin Multiplatform"),
    "data": (12, "Data Scientist|Data Engineer|Data Analyst|Machine Learning Engineer|Analytics Engineer|BI Analyst",
             "SQL, Pandas, NumPy, scikit-learn, PyTorch, TensorFlow, Keras, Apache Spark, PySpark, Hadoop, Airflow, "
             "dbt, Snowflake, BigQuery, Redshift, Databricks, Tableau, Power BI, Looker, Statistics, R, "
             "Machine Learning, Deep Learning, NLP, Computer Vision, LLMs, MLOps, Data Modeling, ETL, A/B Testing, "
             "Jupyter"),
    "devops": (8, "DevOps Engineer|Site Reliability Engineer|Cloud Engineer|Infrastructure Engineer|Platform Engineer",
               "AWS, Azure, Google Cloud, Kubernetes, Docker, Terraform, Ansible, Helm, Linux, Bash, CI/CD, "
               "GitHub Actions, GitLab CI, Jenkins, Prometheus, Grafana, Datadog, Nginx, Site Reliability Engineering, "
               "Incident Management, Observability, OpenTelemetry, Istio, Argo CD, Packer, Vault"),
    "security": (3, "Security Engineer|Security Analyst|Application Security Engineer|Penetration Tester|CISO",
                 "Penetration Testing, Threat Modeling, OWASP, SIEM, Splunk, Identity and Access Management, OAuth, "
                 "Zero Trust, Cryptography, ISO 27001, SOC 2, Vulnerability Management, Incident Response, "
                 "Cloud Security, Burp Suite"),
    "qa": (4, "QA Engineer|Test Automation Engineer|Software Tester|SDET",
           "Test Automation, Selenium, Manual Testing, Performance Testing, JMeter, Appium, TestRail, "
           "Behaviour-Driven Development, Cucumber, API Testing, Postman"),
    "design": (6, "Product Designer|UX Designer|UI Designer|UX Researcher|Graphic Designer|Head of Design",
               "Figma, Sketch, Adobe XD, Photoshop, Illustrator, InDesign, User Research, Prototyping, Wireframing, "
               "Interaction Design, Design Systems, Usability Testing, Information Architecture, Visual Design, "
               "Motion Design, Typography, Branding"),
    "product": (6, "Product Manager|Product Owner|Technical Product Manager|Head of Product",
                "Product Management, Roadmapping, Product Discovery, Agile, Scrum, Kanban, Jira, Confluence, OKRs, "
                "Stakeholder Management, User Stories, Product Analytics, Amplitude, Mixpanel, Go-to-Market, "
                "Pricing Strategy"),
    "leadership": (5, "Engineering Manager|CTO|VP Engineering|Head of Engineering|Director of Engineering|Tech Lead",
                   "Leadership, People Management, Hiring, Mentoring, Coaching, Budgeting, Strategic Planning, "
                   "Change Management, Cross-functional Collaboration, Public Speaking, Technical Strategy"),
    "sales": (8, "Account Executive|Sales Development Representative|Business Development Manager|Sales Manager|"
                 "Account Manager|Customer Success Manager",
              "B2B Sales, SaaS Sales, Salesforce, HubSpot, Account Management, Business Development, Lead Generation, "
              "Negotiation, Cold Calling, Sales Operations, Customer Success, Key Account Management, "
              "Enterprise Sales, Pipeline Management, Solution Selling"),
    "marketing": (6, "Marketing Manager|Content Marketer|SEO Specialist|Growth Marketer|Product Marketing Manager|"
                     "Social Media Manager",
                  "Content Marketing, SEO, SEM, Google Ads, Google Analytics, Social Media Marketing, Email Marketing, "
                  "Marketing Automation, Copywriting, Brand Strategy, Growth Marketing, Performance Marketing, "
                  "Product Marketing, Community Management, Public Relations, Event Management, Marketo"),
    "finance": (4, "Financial Analyst|Accountant|Financial Controller|Finance Manager|CFO|FP&A Analyst",
                "Financial Modeling, Excel, Accounting, IFRS, US GAAP, FP&A, Forecasting, Audit, Tax, Treasury, "
                "Payroll, SAP, Xero, QuickBooks, Risk Management, Corporate Finance, Valuation"),
    "people": (4, "Recruiter|Technical Recruiter|Talent Acquisition Partner|HR Business Partner|"
                  "People Operations Manager|Head of People",
               "Recruiting, Talent Acquisition, Sourcing, Employer Branding, Onboarding, HRIS, Workday, Greenhouse, "
               "Lever, Compensation and Benefits, Employee Relations, Learning and Development, "
               "Diversity and Inclusion, Employment Law"),
    "support": (4, "Customer Support Specialist|Support Engineer|Technical Support Engineer|Customer Experience Lead",
                "Customer Support, Zendesk, Intercom, Technical Support, Customer Experience, Troubleshooting, "
                "Knowledge Base, ITIL, ServiceNow, Freshdesk"),
}  # fmt: skip
# Anyone may also list a language or a way of working.
GENERAL_SKILLS = ("English, Spanish, French, German, Portuguese, Mandarin, Japanese, Arabic, Hindi, Italian, Dutch, "
                  "Polish, Turkish, Remote Work, Communication, Problem Solving, Teamwork, Git, Open Source, "
                  "Technical Writing")  # fmt: skip
SENIORITY = (("", 50), ("Senior ", 25), ("Junior ", 8), ("Lead ", 7), ("Staff ", 5), ("Principal ", 3))
UNRANKED_TITLES = ("Head", "VP", "CTO", "CFO", "CISO", "Director")

COMPANIES = (  # noqa: SIM905 (one string reads better than 97 quoted names)
    "Acme Corp|Globex|Initech|Hooli|Pied Piper|Umbrella Labs|Stark Industries|Wayne Enterprises|Cyberdyne Systems|"
    "Tyrell Corporation|Massive Dynamic|Vandelay Industries|Dunder Mifflin|Sterling Cooper|Wonka Industries|"
    "Aperture Science|Black Mesa|Weyland-Yutani|Nakatomi Trading|Oscorp|Soylent|Virtucon|Bluth Company|"
    "Prestige Worldwide|Spacely Sprockets|Cogswell Cogs|Omni Consumer Products|Rekall|Oceanic Airlines|"
    "Northwind Traders|Contoso|Fabrikam|Tailspin Toys|Wide World Importers|Adventure Works|Litware|Proseware|"
    "Woodgrove Bank|Coho Winery|Lucerne Publishing|Blue Yonder Airlines|Alpine Ski House|Fourth Coffee|"
    "Trey Research|Wingtip Toys|Humongous Insurance|Southridge Video|Consolidated Messenger|Relecloud|"
    "Brightwave|Cloudnine Analytics|Quantifi|Lumen Health|Nimbus Data|Helix Bio|Orbital Payments|Fernway|"
    "Kitebird|Parcelly|Mosaic Learning|Tidepool Energy|Beacon Robotics|Copperleaf|Bramble Logistics|Lattice Labs|"
    "Quillstone|Harbourline|Sunpeak Solar|Redwood Ledger|Juniper Mobility|Foxglove Media|Ironbark Security|"
    "Polaris Retail|Meridian Capital|Cobalt Cloud|Vireo Games|Atlas Freight|Kestrel Insurance|Lighthouse Legal|"
    "Müller & Söhne GmbH|Björkvik Design AB|Société Lumière|Zaragoza Tecnología|Łódź Software House|"
    "Sakura Systems|Fjordline Analytics|Café Ñandú|Perła Fintech|Açaí Digital|Örebro Robotics|Kōbō Studio|"
    "Anadolu Teknoloji|Lagos Fintech Hub|Bengaluru Bytes|Shenzhen Circuits|Hà Nội Software|Dubai Logistics Group"
).split("|")
INDUSTRY_WEIGHTS = {"Computer Software": 12, "Information Technology and Services": 12, "Internet": 9,
                    "Financial Services": 5, "Marketing and Advertising": 3, "Hospital & Health Care": 3,
                    "Computer Games": 2, "Telecommunications": 2, "E-Learning": 2, "Retail": 2,
                    "Computer & Network Security": 2, "Staffing and Recruiting": 2}  # fmt: skip
STAGES = (("new", 45), ("contacted", 20), ("engaged", 9), ("interested", 7), ("applied", 5), ("hired", 2),
          ("not_interested", 8), ("archived", 4))  # fmt: skip
SOURCES = (("sourced", 40), ("import", 25), ("portal", 15), ("referral", 10), ("event", 7), ("other", 3))
SPAN_SECONDS = 3 * 365 * 24 * 3600

# The columns seed rows fill, in order; search_name and search_vector are left to search.refresh().
COLUMNS = (
    "organization_id", "first_name", "last_name", "email", "phone", "headline", "current_title", "current_company",
    "industry", "city", "region", "country_code", "time_zone", "linkedin_url", "links", "source", "referrer",
    "owner_id", "stage", "stage_changed_at", "do_not_contact", "email_undeliverable", "last_contacted_at",
    "created_at", "updated_at", "search_name",
)  # fmt: skip
# Letters that Unicode decomposition does not reduce to ASCII.
_ASCII_LETTERS = str.maketrans({"ł": "l", "ø": "o", "ß": "ss", "đ": "d", "ı": "i", "æ": "ae", "œ": "oe", "þ": "th"})  # noqa: RUF001


_ASCII_ALNUM = frozenset(string.ascii_lowercase + string.digits)


def ascii_slug(name: str) -> str:
    """`Łukasz` → `lukasz`, `O'Brien` → `obrien`, `van der Berg` → `vanderberg`: for e-mails and URLs."""
    folded = unicodedata.normalize("NFKD", name.lower().translate(_ASCII_LETTERS))
    return "".join(ch for ch in folded if ch in _ASCII_ALNUM)


class Weighted:
    """Draws items with the given weights, faster than `random.choices` for one item at a time."""

    __slots__ = ("cum", "items", "total")

    def __init__(self, pairs):
        self.items = [item for item, _ in pairs]
        self.cum = list(accumulate(weight for _, weight in pairs))
        self.total = self.cum[-1]

    def pick(self, rng: Random):
        return self.items[bisect(self.cum, rng.random() * self.total)]


def _zipf(items: list) -> Weighted:
    # Earlier names are more common, as in real populations, so a "common first name" exists.
    return Weighted([(item, 1 / (rank + 3)) for rank, item in enumerate(items)])


class People:
    """A deterministic stream of realistic candidate rows for one organisation and one run."""

    def __init__(self, *, org_id: int, run_id: str, seed: int, owner_ids: list[int], skill_ids: dict[str, int]):
        self.rng = Random(seed)  # noqa: S311 (reproducible sample data, not secrets)
        self.org_id, self.run_id, self.owner_ids, self.skill_ids = org_id, run_id, owner_ids, skill_ids
        self.now = time.time()
        self.locales = Weighted([(locale, spec[0]) for locale, spec in NAMES.items()])
        self.names = {locale: (_zipf(_names(first)), _zipf(_names(last))) for locale, (_, first, last) in NAMES.items()}
        self.places = {locale: [tuple(p.split("|")) for p in spec.split(";")] for locale, spec in PLACES.items()}
        self.all_places = [place for places in self.places.values() for place in places]
        self.fields = Weighted([(name, spec[0]) for name, spec in FIELDS.items()])
        self.titles = {name: spec[1].split("|") for name, spec in FIELDS.items()}
        self.field_skills = {name: [skill_ids[s] for s in _skills(spec[2])] for name, spec in FIELDS.items()}
        self.field_skill_names = {skill_ids[s]: s for spec in FIELDS.values() for s in _skills(spec[2])}
        self.general_skills = [skill_ids[s] for s in _skills(GENERAL_SKILLS)]
        self.seniority = Weighted(SENIORITY)
        self.stages = Weighted(STAGES)
        self.sources = Weighted(SOURCES)
        self.companies = _zipf(COMPANIES)
        industries = Weighted([(name, INDUSTRY_WEIGHTS.get(name, 0.15)) for name in INDUSTRIES])
        # A company is in one industry, whoever works there.
        self.industry_of = {company: industries.pick(self.rng) for company in COMPANIES}

    def row(self, i: int) -> tuple[tuple, list[int]]:
        """Candidate number `i` of this run, in COLUMNS order, and its skill ids."""
        rng = self.rng
        locale = self.locales.pick(rng)
        firsts, lasts = self.names[locale]
        first, last = firsts.pick(rng), lasts.pick(rng)
        handle = f"{ascii_slug(first)}.{ascii_slug(last)}"
        # The run id has a fixed length, so run id + index is unique across runs and rows.
        unique = f"{self.run_id}{i}"
        field = self.fields.pick(rng)
        title = rng.choice(self.titles[field])
        if not title.startswith(UNRANKED_TITLES):
            title = self.seniority.pick(rng) + title
        pool = self.field_skills[field]
        skills = rng.sample(pool, min(len(pool), rng.randint(3, 8)))
        if rng.random() < 0.3:
            skills[-1] = rng.choice(self.general_skills)
        skills = list(dict.fromkeys(skills))
        company = self.companies.pick(rng) if rng.random() < 0.93 else ""
        roll = rng.random()
        if roll < 0.05:
            city = region = country = zone = ""
        else:
            city, region, country, zone = rng.choice(self.places[locale] if roll < 0.8 else self.all_places)
        phone = ""
        if country in MOBILE_NUMBERS and rng.random() < 0.4:
            code, lead, length = MOBILE_NUMBERS[country]
            lead = lead or str(rng.randrange(2, 10))  # North American area codes start with 2-9
            tail = length - len(lead)
            phone = f"+{code}{lead}{rng.randrange(10**tail):0{tail}d}"
        source = self.sources.pick(rng)
        stage = self.stages.pick(rng)
        created = self.now - SPAN_SECONDS * rng.random() ** 2  # communities grow: more recent joiners
        updated = created + (self.now - created) * rng.random()
        contacted = None if stage == "new" else _utc(created + (self.now - created) * rng.random())
        stage_changed = contacted or _utc(created)  # a new candidate has been "new" since joining
        row = (
            self.org_id,
            first,
            last,
            f"{handle}.{unique}@example.org",
            phone,
            self._headline(rng, title, company, skills),
            title,
            company,
            self.industry_of.get(company, ""),
            city,
            region,
            country,
            zone,
            f"linkedin.com/in/{handle.replace('.', '-')}-{unique}" if rng.random() < 0.4 else "",
            f'["https://github.com/{handle.replace(".", "")}{unique}"]' if rng.random() < 0.12 else "[]",
            source,
            f"{firsts.pick(rng)} {lasts.pick(rng)}" if source == "referral" else "",
            rng.choice(self.owner_ids) if self.owner_ids and rng.random() < 0.6 else None,
            stage,
            stage_changed,
            rng.random() < 0.02,
            rng.random() < 0.01,
            contacted,
            _utc(created),
            _utc(updated),
            "",
        )
        return row, skills

    def _headline(self, rng: Random, title: str, company: str, skills: list[int]) -> str:
        names = [name for s in skills[:3] if (name := self.field_skill_names.get(s))]
        kind = rng.random()
        if kind < 0.1:
            return ""
        if kind < 0.45 and company:
            return f"{title} at {company}"
        if kind < 0.8 and names:
            return f"{title} · {', '.join(names)}"
        if company:
            return f"{title} · ex-{rng.choice(COMPANIES)} · {'open to work' if kind < 0.9 else 'hiring'}"
        return f"{title}, open to new opportunities"


def _names(text: str) -> list[str]:
    return [name.replace("_", " ") for name in text.split()]


def _skills(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


def _utc(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, tz=UTC)


def skill_vocabulary() -> list[str]:
    names = [s for spec in FIELDS.values() for s in _skills(spec[2])] + _skills(GENERAL_SKILLS)
    return list(dict.fromkeys(names))
