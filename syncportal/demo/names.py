"""Word lists for demo customers: common US names, streets, cities with ZIP codes, business names."""

FIRST_NAMES = """
James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard Susan
Joseph Jessica Thomas Sarah Christopher Karen Charles Lisa Daniel Nancy Matthew Betty Anthony Sandra
Mark Margaret Donald Ashley Steven Kimberly Andrew Emily Paul Donna Joshua Michelle Kenneth Carol Kevin
Amanda Brian Melissa George Deborah Timothy Stephanie Ronald Dorothy Jason Rebecca Edward Sharon Jeffrey
Laura Ryan Cynthia Jacob Amy Gary Kathleen Nicholas Angela Eric Shirley Jonathan Brenda Stephen Emma
Larry Anna Justin Pamela Scott Nicole Brandon Samantha Benjamin Katherine Samuel Christine Gregory Helen
Alexander Debra Patrick Rachel Frank Carolyn Raymond Janet Jack Maria Dennis Catherine Jerry Heather
Tyler Diane Aaron Olivia Jose Julie Adam Joyce Nathan Victoria Henry Ruth Zachary Virginia Douglas
Lauren Peter Kelly Kyle Christina Noah Joan Ethan Evelyn Jeremy Judith Walter Andrea Christian Hannah
Keith Megan Roger Cheryl Terry Jacqueline Austin Martha Sean Madison Gerald Teresa Carl Gloria Harold
Sara Dylan Janice Arthur Ann Lawrence Kathryn Jordan Abigail Jesse Sophia Bryan Frances Billy Jean Bruce
Alice Gabriel Judy Joe Isabella Logan Julia Alan Grace Juan Amber Albert Denise Willie Danielle Elijah
Marilyn Wayne Beverly Randy Charlotte Vincent Natalie Mason Theresa Roy Diana Ralph Brittany Bobby Doris
Russell Kayla Bradley Alexis Philip Lori Eugene Miguel Carmen Luis Rosa Carlos Ana Jorge Lucia Diego
Elena Wei Mei Hiroshi Yuki Raj Priya Minh Linh Tuan Thanh Omar Fatima Ahmed Leila Ivan Olga Sven Ingrid
Declan Siobhan Mateo Camila
""".split()  # noqa: SIM905

LAST_NAMES = """
Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez
Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez
Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker
Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips Evans Turner Diaz Parker Cruz Edwards
Collins Reyes Stewart Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey
Reed Kelly Howard Ramos Kim Cox Ward Richardson Watson Brooks Chavez Wood James Bennett Gray Mendoza
Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers Long Ross Foster Jimenez Powell Jenkins Perry
Russell Sullivan Bell Coleman Butler Henderson Barnes Gonzales Fisher Vasquez Simmons Romero Jordan
Patterson Alexander Hamilton Graham Reynolds Griffin Wallace Moreno West Cole Hayes Bryant Herrera
Gibson Ellis Tran Medina Aguilar Stevens Murray Ford Castro Marshall Owens Harrison Fernandez McDonald
Woods Washington Kennedy Wells Vargas Henry Chen Freeman Webb Tucker Guzman Burns Crawford Olson Simpson
Porter Hunter Gordon Mendez Silva Shaw Snyder Mason Dixon Munoz Hunt Hicks Holmes Palmer Wagner Black
Robertson Boyd Rose Stone Salazar Fox Warren Mills Meyer Rice Schmidt Garza Daniels Ferguson Nichols
Stephens Soto Weaver Ryan Gardner Payne Grant Dunn Kelley Spencer Hawkins Arnold Pierce Vazquez Hansen
Peters Santos Hart Bradley Knight Elliott Cunningham Duncan Armstrong Hudson Carroll Lane Riley Andrews
Alvarado Ray Delgado Berry Perkins Hoffman Johnston Matthews Pena Richards Contreras Willis Carpenter
Lawrence Sandoval Guerrero George Chapman Rios Estrada Ortega Watkins Greene Nunez Wheeler Valdez Harper
Burke Larson Santiago Maldonado Morrison Franklin Carlson Austin Dominguez Carr Lawson Jacobs Obrien
Lynch Singh Vega Bishop Montgomery Oliver Jensen Harvey Williamson Gilbert Dean Sims Espinoza Howell Li
Wong Reid Hanson Le McCoy Garrett Burton Fuller Wang Weber Welch Rojas Lucas Marquez Fields Park Yang
Little Banks Padilla Day Walsh Bowman Schultz Luna Fowler Mejia Davidson Acosta Brewer May Holland
Juarez Newman Pearson Curtis Cortez Douglas Schneider Joseph Barrett Navarro Figueroa Keller Avila Wade
Molina Stanley Hopkins Campos Barnett Bates Chambers Caldwell Beck Lambert Miranda Byrd Craig Ayala Lowe
Frazier Powers Neal Leonard Gregory Carrillo Sutton Fleming Rhodes Shelton Schwartz Norris Jennings
Watts Duran Walters Cohen McDaniel Moran Parks Steele Vaughn Becker Holt Deleon Barker Terry Hale Leon
Benson Haynes Horton Miles Lyons Pham Graves Bush Thornton Wolfe Warner Cabrera McKinney Mann Zimmerman
Dawson Lara Fletcher Page McCarthy Love Robles Cervantes Solis Erickson Reeves Chang Klein
""".split()  # noqa: SIM905

# Everyday misspellings staff make at the register (used for near-duplicates).
NAME_VARIANTS = {
    "John": "Jon",
    "Jon": "John",
    "Steven": "Stephen",
    "Stephen": "Steven",
    "Katherine": "Catherine",
    "Catherine": "Katherine",
    "Sara": "Sarah",
    "Sarah": "Sara",
    "Jeffrey": "Geoffrey",
    "Philip": "Phillip",
    "Brian": "Bryan",
    "Bryan": "Brian",
    "Ann": "Anne",
    "Michael": "Micheal",
    "Nicholas": "Nicolas",
    "Mathew": "Matthew",
    "Matthew": "Mathew",
    "Teresa": "Theresa",
    "Theresa": "Teresa",
    "Lori": "Laurie",
    "Alan": "Allen",
    "Allen": "Alan",
    "Gonzalez": "Gonzales",
    "Gonzales": "Gonzalez",
    "Reid": "Reed",
    "Reed": "Reid",
    "Meyer": "Meyers",
    "Myers": "Meyers",
    "Thompson": "Thomson",
    "Peterson": "Petersen",
    "Hansen": "Hanson",
    "Hanson": "Hansen",
    "McDonald": "MacDonald",
    "Obrien": "O'Brien",
    "Li": "Lee",
}
NICKNAMES = {
    "William": "Bill",
    "Robert": "Bob",
    "Richard": "Rick",
    "James": "Jim",
    "Joseph": "Joe",
    "Thomas": "Tom",
    "Christopher": "Chris",
    "Daniel": "Dan",
    "Elizabeth": "Liz",
    "Margaret": "Peggy",
    "Jennifer": "Jen",
    "Patricia": "Pat",
    "Kimberly": "Kim",
    "Anthony": "Tony",
    "Edward": "Ed",
    "Benjamin": "Ben",
    "Samuel": "Sam",
    "Alexander": "Alex",
    "Nicholas": "Nick",
    "Rebecca": "Becky",
}

TITLES = ["Mr.", "Ms.", "Mrs.", "Dr."]
SUFFIXES = ["Jr.", "Sr.", "II", "III"]

STREETS = """
Oak Maple Pine Cedar Elm Willow Birch Walnut Chestnut Sycamore Magnolia Cypress Redwood Juniper Main
First Second Third Fourth Fifth Park Lake Hill Sunset Ocean Mission Valley Ridge Canyon Mesa Washington
Lincoln Jefferson Madison Franklin Adams Jackson Grant Monroe Hamilton Broadway Market Spring Mill
Church School Center Highland Forest Meadow River Garden Vista Alameda Shattuck Telegraph Alvarado
Fremont Sierra Pacific Atlantic Shoreline Harbor Bay Orchard Vineyard Olive Palm Laurel Poplar
""".split()  # noqa: SIM905
STREET_TYPES = ["St", "Ave", "Blvd", "Rd", "Dr", "Ln", "Way", "Ct", "Pl", "Ter", "Cir", "Pkwy"]
UNIT_KINDS = ["Apt", "Unit", "Suite", "#"]

# (city, state, ZIP prefix, tax area, phone area code). The store is in California; most customers are local.
CITIES = [
    ("San Francisco", "CA", "941", "CA", "415"),
    ("Oakland", "CA", "946", "CA", "510"),
    ("Berkeley", "CA", "947", "CA", "510"),
    ("San Jose", "CA", "951", "CA", "408"),
    ("Palo Alto", "CA", "943", "CA", "650"),
    ("Fremont", "CA", "945", "CA", "510"),
    ("Sacramento", "CA", "958", "CA", "916"),
    ("Fresno", "CA", "937", "CA", "559"),
    ("San Diego", "CA", "921", "CA", "619"),
    ("Santa Rosa", "CA", "954", "CA", "707"),
    ("Sunnyvale", "CA", "940", "CA", "408"),
    ("Hayward", "CA", "945", "CA", "510"),
    ("Santa Clara", "CA", "950", "CA", "408"),
    ("Stockton", "CA", "952", "CA", "209"),
    ("Modesto", "CA", "953", "CA", "209"),
    ("Walnut Creek", "CA", "945", "CA", "925"),
    ("San Mateo", "CA", "944", "CA", "650"),
    ("Napa", "CA", "945", "CA", "707"),
    ("Santa Cruz", "CA", "950", "CA", "831"),
    ("Monterey", "CA", "939", "CA", "831"),
    ("Salinas", "CA", "939", "CA", "831"),
    ("Bakersfield", "CA", "933", "CA", "661"),
    ("Riverside", "CA", "925", "CA", "951"),
    ("Irvine", "CA", "926", "CA", "949"),
    ("Anaheim", "CA", "928", "CA", "714"),
    ("Chula Vista", "CA", "919", "CA", "619"),
    ("Oceanside", "CA", "920", "CA", "760"),
    ("Los Angeles", "CA", "900", "LA", "213"),
    ("Long Beach", "CA", "908", "LA", "562"),
    ("Pasadena", "CA", "911", "LA", "626"),
    ("Glendale", "CA", "912", "LA", "818"),
    ("Santa Monica", "CA", "904", "LA", "310"),
    ("Burbank", "CA", "915", "LA", "818"),
    ("Torrance", "CA", "905", "LA", "310"),
    ("Pomona", "CA", "917", "LA", "909"),
    ("Inglewood", "CA", "903", "LA", "310"),
    ("Portland", "OR", "972", "OUT", "503"),
    ("Eugene", "OR", "974", "OUT", "541"),
    ("Seattle", "WA", "981", "OUT", "206"),
    ("Spokane", "WA", "992", "OUT", "509"),
    ("Reno", "NV", "895", "OUT", "775"),
    ("Las Vegas", "NV", "891", "OUT", "702"),
    ("Phoenix", "AZ", "850", "OUT", "602"),
    ("Tucson", "AZ", "857", "OUT", "520"),
    ("Boise", "ID", "837", "OUT", "208"),
    ("Salt Lake City", "UT", "841", "OUT", "801"),
    ("Denver", "CO", "802", "OUT", "303"),
    ("Austin", "TX", "787", "OUT", "512"),
]
# How often each city is picked: the Bay Area store's neighbours dominate.
CITY_WEIGHTS = (
    [9, 7, 5, 6, 3, 4, 3, 2, 3, 2, 3, 3, 3, 2, 2, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1]
    + [3, 2, 1, 1, 1, 1, 1, 1, 1]
    + [1] * 12
)

EMAIL_DOMAINS = [
    "gmail.com",
    "yahoo.com",
    "outlook.com",
    "icloud.com",
    "hotmail.com",
    "aol.com",
    "comcast.net",
    "sbcglobal.net",
    "att.net",
    "proton.me",
]
EMAIL_DOMAIN_WEIGHTS = [30, 12, 10, 10, 6, 3, 4, 4, 3, 2]
PLUS_TAGS = ["store", "receipts", "shop", "orders", "garden"]

# Business names: "<word> <trade> <ending>", e.g. "Summit Plumbing Inc".
BUSINESS_WORDS = """
Golden Bayview Redwood Summit Pioneer Coastal Sierra Pacific Mission Harbor Evergreen Oakridge Skyline
Keystone Cornerstone Precision Reliable Allied Premier Heritage Northstar Silverline Granite Canyon
Sunrise Westside Eastbay Peninsula Delta Valley Horizon Anchor Liberty Eagle Falcon Cypress Meridian
Bedrock Ironwood Maple Lighthouse Vista Crown Atlas Apex Benchmark Trinity Sequoia
""".split()  # noqa: SIM905
TRADES = {
    "Contractor": [
        "Construction",
        "Builders",
        "Plumbing",
        "Electric",
        "Roofing",
        "Landscaping",
        "Painting",
        "Remodeling",
        "Carpentry",
        "HVAC",
        "Flooring",
        "Concrete",
        "Fencing",
    ],
    "Wholesale": [
        "Supply",
        "Distributors",
        "Hardware",
        "Trading",
        "Garden Supply",
        "Building Materials",
        "Wholesale",
        "Industrial Supply",
    ],
    "Non-profit": [
        "Community Garden",
        "Habitat Chapter",
        "Youth League",
        "Food Bank",
        "Elementary PTA",
        "Senior Center",
        "Land Trust",
        "Animal Rescue",
        "Church",
        "Scout Troop",
    ],
    "Retail": ["Design", "Property Management", "Cafe", "Studio", "Apartments", "Dental Group"],
}
COMPANY_ENDINGS = ["Inc", "Inc.", "LLC", "Co.", "Corp.", "& Sons", "Group", "", "", ""]
JOBS = [
    "Kitchen remodel",
    "Bathroom remodel",
    "Deck rebuild",
    "Fence replacement",
    "Roof repair",
    "Backyard landscaping",
    "Office tenant improvement",
    "Garage conversion",
    "ADU build",
    "Window replacement",
    "Exterior paint",
    "Sprinkler install",
    "Patio pavers",
    "Retaining wall",
    "Spring cleanup",
    "Classroom garden",
    "Community planting day",
    "Warehouse shelving",
]
JOB_PHASES = ["Phase 1", "Phase 2", "Change order", "Punch list", "Materials"]

CUSTOM_FIELDS = [
    ("Loyalty tier", ["Bronze", "Silver", "Gold", "Platinum"]),
    ("Preferred contact", ["Email", "Phone", "Text"]),
    ("Sales rep", ["Maria", "Dev", "Alex", "Jordan", "Sam"]),
    ("Delivery notes", ["Call on arrival", "Leave at side gate", "Loading dock in back"]),
]
NOTES = [
    "Prefers morning pickups.",
    "Ask for PO number on every charge.",
    "Mailing statements monthly.",
    "Tax certificate on file.",
    "Long-time customer since the old store.",
    "Gate code at the yard: ask.",
]
