-- Small hand-curated name lists for named entities that WordNet's instance
-- nouns do not cover (brands, modern organisations, common first names) and
-- the cue words around names. Modest on purpose: the rules around them
-- (capitalisation, titles, suffixes, context) do most of the work.
return {
  -- Brands and organisations commonly visible in photos (logos, shop fronts,
  -- products, vehicles), including the brands in the models' label sets.
  orgs = [[Adidas Nike Puma Reebok Apple Samsung Google Microsoft Amazon Facebook Meta Sony
    Canon Nikon Panasonic Toyota Honda Ford Tesla BMW Mercedes Mercedes-Benz Audi Volkswagen
    Porsche Ferrari Volvo Nissan Hyundai Kia Chevrolet Jeep Subaru Mazda Fiat Peugeot Renault
    Starbucks McDonald's Coca-Cola Pepsi KFC Subway IKEA Lego LEGO Walmart Target Costco Uber
    Netflix Twitter YouTube Instagram Spotify Intel Nvidia IBM Dell HP Lenovo Asus Nintendo
    Xbox PlayStation Gucci Prada Chanel Rolex Levi's Zara H&M Heineken Guinness Budweiser
    Nestlé Nestle Kellogg's Heinz Red-Bull Shell BP Exxon DHL FedEx UPS Vans Converse
    Patagonia Harley-Davidson Yamaha Ducati Kawasaki Boeing Airbus Lufthansa Emirates
    NASA UNESCO UN NATO BBC CNN FIFA NBA NFL Olympics Walmart Whole-Foods Dunkin
    Domino's Burger-King Wendy's Nutella Oreo Doritos Lays Pringles Colgate Gillette
    iPhone iPad MacBook AirPods iMac Kindle GoPro Polaroid Vespa USPS
    Airbnb Lyft PayPal Visa Mastercard Adobe Oracle Siemens Philips Bosch Dyson LG Huawei
    Xiaomi Lexus Cadillac Chrysler Skoda Citroen Suzuki Mitsubishi]],
  -- Multi-word brands and organisations.
  orgs_multi = { "Red Bull", "Burger King", "Whole Foods", "Harley Davidson", "Coca Cola",
    "Dunkin Donuts", "Taco Bell", "Pizza Hut", "Apple Store", "Google Maps", "Land Rover",
    "Range Rover", "Home Depot", "Trader Joe's", "New York Times", "United Nations",
    "Red Cross", "World Health Organization", "Manchester United", "Real Madrid" },
  -- Places WordNet lacks or spells differently.
  places = [[NYC LA SF UK USA U.S. U.K. Brooklyn Manhattan Soho Shibuya Shinjuku Montmartre
    Hollywood Bali Tuscany Provence Patagonia Santorini Dubai Singapore Seoul Kyoto Osaka
    Lisbon Barcelona Amsterdam Berlin Prague Vienna Venice Florence Rome Milan Munich
    Edinburgh Dublin Sydney Melbourne Toronto Vancouver Chicago Seattle Boston Miami
    Tokyo London Paris Madrid Beijing Shanghai Istanbul Cairo Mumbai Delhi Bangkok]],
  places_multi = { "Times Square", "Central Park", "Golden Gate Bridge", "Eiffel Tower",
    "Statue of Liberty", "Big Ben", "Tower Bridge", "Grand Canyon", "Mount Fuji",
    "Brooklyn Bridge", "Empire State Building", "Sydney Opera House", "Niagara Falls",
    "New York", "New York City", "San Francisco", "Los Angeles", "Hong Kong", "Las Vegas",
    "Buckingham Palace", "Colosseum", "Taj Mahal", "Great Wall", "Machu Picchu",
    "Yosemite National Park", "Yellowstone", "Lake Como", "Swiss Alps", "Piccadilly Circus",
    "Trafalgar Square", "Red Square", "Shibuya Crossing", "Notre-Dame", "Louvre" },
  -- Common given names (a name cue, not a list of everyone).
  first_names = [[James John Robert Michael William David Richard Joseph Thomas Charles
    Christopher Daniel Matthew Anthony Mark Donald Steven Paul Andrew Joshua Kevin Brian George
    Edward Ronald Timothy Jason Jeffrey Ryan Jacob Gary Nicholas Eric Jonathan Stephen Larry
    Justin Scott Brandon Benjamin Samuel Frank Gregory Raymond Alexander Patrick Jack Dennis
    Jerry Tyler Aaron Jose Henry Adam Peter Nathan Zachary Kyle Noah Ethan Lucas Liam Oliver
    Tom Tim Sam Ben Max Leo Alex Chris Mike Dave Dan Joe Nick Luke Carlos Juan Luis Ahmed
    Mohammed Hiroshi Kenji Raj Arjun Wei Mary Patricia Jennifer Linda Elizabeth Barbara
    Susan Jessica Sarah Karen Nancy Lisa Betty Margaret Sandra Ashley Kimberly Emily Donna
    Michelle Dorothy Carol Amanda Melissa Deborah Stephanie Rebecca Sharon Laura Cynthia
    Kathleen Amy Shirley Angela Helen Anna Brenda Pamela Nicole Emma Samantha Katherine
    Christine Debra Rachel Catherine Carolyn Janet Ruth Maria Heather Diane Virginia Julie
    Joyce Victoria Olivia Kelly Christina Lauren Joan Evelyn Judith Megan Cheryl Andrea
    Hannah Martha Jacqueline Frances Gloria Ann Teresa Kathryn Sara Janice Jean Alice
    Madison Doris Abigail Julia Judy Grace Denise Amber Marilyn Beverly Danielle Theresa
    Sophia Marie Diana Brittany Natalie Isabella Charlotte Rose Alexis Kayla Mia Ava Chloe
    Zoe Lily Ella Priya Aisha Fatima Yuki Mei Sofia Lucia Elena Anya Nina Kate Jane Lucy]],
  -- Titles before a person's name (not part of the PERSON text).
  titles = [[Mr. Mrs. Ms. Miss Dr. Prof. Professor Sir Dame Lord Lady President Senator
    Mr Mrs Ms Dr Prof Mayor Governor King Queen Prince Princess Pope Saint St. Captain Capt.
    Chef Coach Judge Officer Detective Sgt. General Gen. Rev. Reverend Uncle Aunt Grandma
    Grandpa Mx Mx.]],
  -- Last words that make a capitalised phrase an organisation.
  org_suffixes = [[Inc. Inc Corp. Corp Corporation Ltd. Ltd LLC Co. Company Group Bank
    University College Institute School Academy Foundation Association Society Museum
    Gallery Hospital Airlines Airways Motors Records Studios Press Club Council Ministry
    Department Agency Organization Organisation Federation Union Party Church Cafe Café
    Restaurant Bakery Hotel Bar Pub Market Supermarket Pharmacy Store Shop Brewery Coffee
    Foods Labs Systems Technologies Entertainment Times Post News FC Team]],
  -- A phrase starting with one of these and "of" is an organisation: University of Oxford.
  org_prefixes = [[University College Institute Bank Museum School Academy Department
    Ministry Church Republic Kingdom]],
  -- Last words that make a capitalised phrase a place.
  place_suffixes = [[Street St. St Avenue Ave. Ave Road Rd. Boulevard Blvd. Lane Drive Way
    Square Plaza Park Bridge Tower Towers River Lake Mountain Mountains Mount Hill Hills
    Beach Bay Island Islands Valley Canyon Falls Forest Desert Sea Ocean Coast City Town
    Village County State Province Station Airport Harbor Harbour Port Palace Castle Cathedral
    Temple Mosque Abbey Stadium Arena Center Centre Mall Garden Gardens Zoo Pier Market
    Quarter District Heights Peninsula Gulf Strait Canal Creek Cove Glacier Volcano House
    Hall Theatre Theater Opera Memorial Monument Fountain Gate Wall Cemetery Reservoir]],
  place_prefixes = [[Mount Mt. Lake Cape Fort Port Isle Gulf Bay Saint San Santa Los Las
    New North South East West Upper Lower Great]],
  -- Words before a capitalised phrase that make it a place: "in Paris".
  place_cues = [[in at near from to toward towards across outside inside around visiting
    overlooking]],
  -- Words before a name that make it a person: "named Sarah", "by Claude Monet".
  person_cues = [[named called nicknamed]],
}
