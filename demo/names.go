package demo

// Regions, in the order of nameGroup.regions.
var regions = [...]string{"EMEA", "NA", "LATAM", "APAC"}

// A nameGroup is a naming tradition: first and last names are drawn from the
// same group so that "Haruto Sato" and "Ana Souza" appear, not "Haruto Souza".
// The regions field weighs where the group's members live, in the order of
// the regions variable.
type nameGroup struct {
	weight  float64
	regions [4]float64
	first   []string
	last    []string
}

var nameGroups = []nameGroup{
	{20, [4]float64{25, 65, 0, 10},
		[]string{"James", "Emily", "Michael", "Sarah", "David", "Jessica", "Chris", "Ashley", "Ryan", "Megan", "Kevin", "Lauren", "Brian", "Rachel", "Tyler", "Hannah", "Jordan", "Olivia", "Ethan", "Madison", "Liam", "Chloe", "Noah", "Grace", "Connor", "Sophie"},
		[]string{"Smith", "Johnson", "Williams", "Brown", "Miller", "Davis", "Wilson", "Anderson", "Taylor", "Thomas", "Moore", "Martin", "Thompson", "White", "Harris", "Clark", "Lewis", "Walker", "Hall", "Young", "Allen", "King", "Wright", "Scott", "Green", "Baker", "Adams", "Nelson", "Carter", "Mitchell", "Murphy", "O'Brien", "Kelly", "Campbell", "Robinson"}},
	{9, [4]float64{20, 10, 70, 0},
		[]string{"José", "María", "Juan", "Camila", "Luis", "Valentina", "Carlos", "Sofía", "Diego", "Lucía", "Javier", "Daniela", "Andrés", "Gabriela", "Miguel", "Isabella", "Alejandro", "Fernanda", "Sebastián", "Paula", "Mateo", "Ximena", "Pablo", "Carmen"},
		[]string{"García", "Rodríguez", "Martínez", "Hernández", "López", "González", "Pérez", "Sánchez", "Ramírez", "Torres", "Flores", "Rivera", "Gómez", "Díaz", "Morales", "Jiménez", "Ruiz", "Álvarez", "Castillo", "Vargas", "Romero", "Herrera", "Medina", "Aguilar", "Navarro", "Ortega"}},
	{7, [4]float64{5, 5, 90, 0},
		[]string{"João", "Ana", "Pedro", "Beatriz", "Lucas", "Mariana", "Gabriel", "Larissa", "Rafael", "Juliana", "Thiago", "Letícia", "Bruno", "Carolina", "Felipe", "Amanda", "Gustavo", "Fernanda", "Rodrigo", "Vitória", "Matheus", "Luana", "Caio", "Bianca"},
		[]string{"Silva", "Santos", "Oliveira", "Souza", "Costa", "Pereira", "Ferreira", "Almeida", "Carvalho", "Gomes", "Ribeiro", "Rocha", "Lima", "Araújo", "Barbosa", "Cardoso", "Nascimento", "Moreira", "Teixeira", "Mendes", "Correia", "Cavalcanti"}},
	{7, [4]float64{95, 5, 0, 0},
		[]string{"Lukas", "Anna", "Jonas", "Lena", "Felix", "Laura", "Maximilian", "Julia", "Leon", "Sarah", "Niklas", "Katharina", "Tobias", "Johanna", "Florian", "Miriam", "Sebastian", "Franziska", "Moritz", "Clara", "Matthias", "Svenja", "Jan", "Theresa"},
		[]string{"Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann", "Koch", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Werner", "Krause", "Vogel"}},
	{5, [4]float64{90, 10, 0, 0},
		[]string{"Camille", "Louis", "Chloé", "Hugo", "Manon", "Lucas", "Léa", "Thomas", "Inès", "Julien", "Élise", "Antoine", "Pauline", "Mathieu", "Margaux", "Nicolas", "Claire", "Baptiste", "Amélie", "Théo", "Océane", "Guillaume"},
		[]string{"Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Fontaine", "Rousseau", "Vincent", "Muller", "Lefèvre", "Faure", "André", "Mercier", "Blanc", "Guérin", "Boyer", "Gauthier"}},
	{3, [4]float64{95, 5, 0, 0},
		[]string{"Giulia", "Marco", "Francesca", "Alessandro", "Chiara", "Luca", "Martina", "Andrea", "Sara", "Matteo", "Federica", "Davide", "Elena", "Simone", "Alessia", "Riccardo", "Valentina", "Lorenzo", "Giorgia", "Stefano"},
		[]string{"Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco", "Bruno", "Gallo", "Conti", "De Luca", "Mancini", "Costa", "Giordano", "Rizzo", "Lombardi", "Moretti", "Barbieri", "Fontana"}},
	{3, [4]float64{95, 5, 0, 0},
		[]string{"Erik", "Ingrid", "Lars", "Astrid", "Anders", "Sofia", "Johan", "Freja", "Mikael", "Elin", "Nils", "Maja", "Henrik", "Sigrid", "Oskar", "Linnea", "Magnus", "Karin", "Mats", "Annika"},
		[]string{"Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsen", "Hansen", "Jensen", "Nielsen", "Lindqvist", "Berg", "Haugen", "Johansen", "Virtanen", "Korhonen", "Mäkinen", "Lindström", "Dahl", "Holm"}},
	{6, [4]float64{92, 8, 0, 0},
		[]string{"Piotr", "Katarzyna", "Tomasz", "Agnieszka", "Paweł", "Magdalena", "Łukasz", "Aleksandra", "Michał", "Natalia", "Jakub", "Olena", "Dmytro", "Iryna", "Oleksandr", "Tereza", "Ondřej", "Petra", "Vojtěch", "Marta", "Andrii", "Kateryna", "Bogdan", "Zuzanna"},
		[]string{"Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kamiński", "Lewandowski", "Zieliński", "Szymański", "Kozłowski", "Mazur", "Shevchenko", "Kovalenko", "Bondarenko", "Tkachenko", "Melnyk", "Novák", "Svoboda", "Dvořák", "Černý", "Procházka", "Horváth", "Popescu", "Ionescu"}},
	{2, [4]float64{100, 0, 0, 0},
		[]string{"Daan", "Sanne", "Sem", "Fleur", "Bram", "Lotte", "Thijs", "Anouk", "Ruben", "Eva", "Jesse", "Femke", "Joost", "Iris", "Niels", "Maud"},
		[]string{"de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks", "Janssens", "Maes", "Peeters", "Willems"}},
	{5, [4]float64{90, 10, 0, 0},
		[]string{"Chinedu", "Ngozi", "Oluwaseun", "Adaeze", "Emeka", "Funmilayo", "Tunde", "Amara", "Kwame", "Abena", "Kofi", "Akosua", "Wanjiru", "Otieno", "Achieng", "Kipchoge", "Thabo", "Naledi", "Sipho", "Zanele", "Tendai", "Chipo", "Yaw", "Efua", "Babajide", "Folake"},
		[]string{"Okafor", "Adeyemi", "Okonkwo", "Eze", "Balogun", "Adebayo", "Nwosu", "Ogunleye", "Mensah", "Asante", "Boateng", "Owusu", "Kamau", "Mwangi", "Ochieng", "Wanjiku", "Njoroge", "Dlamini", "Nkosi", "Ndlovu", "Mokoena", "Moyo", "Banda", "Abubakar", "Bello", "Diallo"}},
	{5, [4]float64{90, 10, 0, 0},
		[]string{"Ahmed", "Fatima", "Omar", "Layla", "Youssef", "Mariam", "Karim", "Nour", "Hassan", "Salma", "Mehmet", "Elif", "Mustafa", "Zeynep", "Emre", "Ayşe", "Reza", "Shirin", "Ali", "Leila", "Amir", "Yasmin", "Tariq", "Rania", "Khalid", "Dina"},
		[]string{"Hassan", "Ali", "Mahmoud", "Ibrahim", "Mansour", "Haddad", "Khalil", "Saleh", "Nasser", "Farouk", "El-Sayed", "Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Öztürk", "Aydın", "Arslan", "Hosseini", "Ahmadi", "Karimi", "Rahimi", "Benali", "Bouzid"}},
	{12, [4]float64{10, 20, 0, 70},
		[]string{"Aarav", "Priya", "Rohan", "Ananya", "Arjun", "Divya", "Vikram", "Sneha", "Rahul", "Pooja", "Karthik", "Lakshmi", "Aditya", "Neha", "Siddharth", "Kavya", "Varun", "Meera", "Nikhil", "Shreya", "Rajesh", "Deepa", "Sanjay", "Aishwarya", "Harsh", "Ishita"},
		[]string{"Sharma", "Patel", "Singh", "Kumar", "Gupta", "Reddy", "Iyer", "Nair", "Menon", "Rao", "Joshi", "Mehta", "Shah", "Desai", "Verma", "Agarwal", "Chatterjee", "Banerjee", "Mukherjee", "Pillai", "Kulkarni", "Bhat", "Chopra", "Malhotra", "Krishnan", "Subramanian"}},
	{7, [4]float64{0, 20, 0, 80},
		[]string{"Wei", "Jing", "Hao", "Xin", "Yang", "Li", "Jun", "Mei", "Chen", "Yu", "Lei", "Fang", "Tao", "Ying", "Bo", "Xiaoming", "Yifan", "Zihan", "Haoran", "Ruoxi", "Jiahui", "Zhiwei", "Kai", "Lin"},
		[]string{"Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu", "Sun", "Ma", "Zhu", "Hu", "Guo", "He", "Lin", "Gao", "Luo", "Zheng", "Liang", "Xie", "Tang", "Chan", "Wong", "Cheung", "Tsai"}},
	{3, [4]float64{0, 10, 0, 90},
		[]string{"Haruto", "Yui", "Sota", "Aoi", "Ren", "Hina", "Yuto", "Sakura", "Kenji", "Yuki", "Takumi", "Mio", "Daiki", "Rin", "Hiroshi", "Emi", "Shota", "Ayaka", "Kazuki", "Nanami"},
		[]string{"Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito", "Yamamoto", "Nakamura", "Kobayashi", "Kato", "Yoshida", "Yamada", "Sasaki", "Yamaguchi", "Matsumoto", "Inoue", "Kimura", "Hayashi", "Shimizu", "Mori"}},
	{2, [4]float64{0, 10, 0, 90},
		[]string{"Minjun", "Seoyeon", "Jiho", "Jiwoo", "Hyunwoo", "Soyeon", "Donghyun", "Yuna", "Jaewon", "Eunji", "Seungmin", "Hana", "Taeyang", "Jisoo", "Junho", "Minji"},
		[]string{"Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon", "Jang", "Lim", "Han", "Oh", "Seo", "Shin", "Kwon", "Hwang"}},
	{1.5, [4]float64{5, 5, 0, 90},
		[]string{"Minh", "Linh", "Huy", "Trang", "Tuan", "Thao", "Duc", "Ngoc", "Khanh", "Mai", "Quang", "Hoa"},
		[]string{"Nguyen", "Tran", "Le", "Pham", "Hoang", "Phan", "Vu", "Dang", "Bui", "Do", "Ho", "Ngo"}},
	{1.5, [4]float64{0, 0, 0, 100},
		[]string{"Budi", "Siti", "Agus", "Dewi", "Rizky", "Putri", "Andi", "Ayu", "Fajar", "Indah", "Bayu", "Ratna"},
		[]string{"Santoso", "Wijaya", "Saputra", "Hidayat", "Pratama", "Kusuma", "Setiawan", "Nugroho", "Gunawan", "Halim"}},
	{1.5, [4]float64{0, 15, 0, 85},
		[]string{"Joshua", "Angelica", "Mark", "Kristine", "Jasmine", "Carlo", "Patricia", "Miguel", "Bea", "Paolo", "Camille", "Rafael"},
		[]string{"Santos", "Reyes", "Cruz", "Bautista", "Ocampo", "Garcia", "Mendoza", "Dela Cruz", "Villanueva", "Aquino"}},
}

// Words of pseudonymous handles such as "cosmic-otter".
var (
	handleAdjectives = []string{"quiet", "rusty", "lazy", "cosmic", "null", "async", "tiny", "sleepy", "brave", "pixel", "neon", "salty", "grumpy", "happy", "binary", "lunar", "fuzzy", "silent"}
	handleNouns      = []string{"fox", "otter", "panda", "pointer", "kernel", "byte", "lambda", "falcon", "badger", "koala", "wombat", "yak", "gopher", "penguin", "heron", "comet", "walrus", "moth"}
	handleSuffixes   = []string{"dev", "codes", "io", "hq", "builds", "ops", "hacks", "data"}
)

// A company employs members; region "" means anywhere.
type company struct {
	name   string
	region string
}

var companies = []company{
	{"Bluefin Analytics", ""}, {"Kestrel Systems", ""}, {"Corvid Software", ""}, {"Lattice Labs", ""},
	{"Mosaic Media", ""}, {"Umbra Security", ""}, {"Helio Logistics", ""}, {"Sapling Health", ""},
	{"Tessera Telecom", ""}, {"Quanta Retail", ""}, {"Polar Freight", ""}, {"Ferrous Mobility", ""},
	{"Northgate Insurance", "NA"}, {"Cascade Cloudworks", "NA"}, {"Redwood Payments", "NA"}, {"Maple Ledger", "NA"},
	{"Nordlys Energi", "EMEA"}, {"Brückner Automotive", "EMEA"}, {"Tidewater Bank", "EMEA"}, {"Baobab Fintech", "EMEA"},
	{"Lumière Médias", "EMEA"}, {"Vistula Games", "EMEA"}, {"Sahara Cloud", "EMEA"},
	{"Andes Pagos", "LATAM"}, {"Pampa Agro", "LATAM"}, {"Jacarandá Tech", "LATAM"}, {"Azteca Retail", "LATAM"}, {"Caribe Travel", "LATAM"},
	{"Mekong Data", "APAC"}, {"Kiwi Ledger", "APAC"}, {"Hanami Robotics", "APAC"}, {"Indus Logistics", "APAC"},
	{"Lotus Commerce", "APAC"}, {"Coral Sea Mining", "APAC"}, {"Han River Games", "APAC"},
}

// Personal mail domains. They are under the reserved .example top-level domain
// so that a demo instance with mail configured can never write to real people.
var mailDomains = []string{"gmail.example", "gmail.example", "gmail.example", "outlook.example", "proton.example", "yahoo.example", "mail.example", "icloud.example"}

// Cities where meetups take place, by region.
var meetupCities = map[string][]string{
	"NA":    {"New York", "Seattle", "Toronto", "Austin", "Chicago"},
	"LATAM": {"São Paulo", "Buenos Aires", "Mexico City", "Bogotá", "Santiago"},
	"EMEA":  {"Berlin", "London", "Paris", "Madrid", "Lagos", "Nairobi", "Stockholm", "Warsaw", "Istanbul", "Dubai"},
	"APAC":  {"Bengaluru", "Tokyo", "Singapore", "Seoul", "Sydney", "Jakarta", "Shanghai"},
}

// UTC offsets, in hours, of members' local time by region: the first is the
// most common, the others spread people over the region's zones.
var regionOffsets = map[string][]int{
	"NA":    {-5, -5, -6, -8, -7},
	"LATAM": {-3, -3, -5, -6, -4},
	"EMEA":  {1, 1, 0, 2, 3, 4},
	"APAC":  {8, 5, 9, 7, 10},
}
