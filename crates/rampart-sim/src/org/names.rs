//! Name lists for people, departments and titles.

pub(crate) const GIVEN: &[&str] = &[
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth", "William",
    "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Charles", "Karen", "Christopher", "Lisa",
    "Daniel", "Nancy", "Matthew", "Betty", "Anthony", "Sandra", "Mark", "Margaret", "Steven", "Ashley", "Andrew",
    "Emily", "Joshua", "Michelle", "Kevin", "Amanda", "Brian", "Melissa", "Priya", "Wei", "Aisha", "Carlos", "Sofia",
    "Mateo", "Olga", "Hiroshi", "Fatima", "Diego", "Ananya", "Noah", "Chloe", "Ethan", "Grace", "Omar", "Lucia",
    "Ivan", "Mei", "Kwame", "Nora", "Liam", "Zoe", "Rahul", "Elena", "Samuel", "Hannah", "Tariq", "Ingrid", "Marco",
];

pub(crate) const SURNAMES: &[&str] = &[
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez", "Hernandez",
    "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Perez",
    "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen",
    "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall",
    "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Patel", "Chen", "Kowalski", "Novak", "Okafor", "Tanaka",
    "Schmidt", "Rossi", "Dubois", "Larsen", "Murphy", "O'Brien", "Singh", "Kim", "Ivanova", "Haddad", "Mensah",
];

/// (department, weight, job titles)
pub(crate) const DEPARTMENTS: &[(&str, u32, &[&str])] = &[
    ("Operations", 25, &["Logistics Coordinator", "Warehouse Supervisor", "Dispatcher", "Fleet Manager", "Operations Analyst"]),
    ("Sales", 15, &["Account Executive", "Sales Manager", "Sales Operations Analyst", "Business Development Rep"]),
    ("Customer Support", 11, &["Support Specialist", "Support Team Lead", "Customer Success Manager"]),
    ("Finance", 10, &["Accountant", "Accounts Payable Specialist", "Financial Analyst", "Payroll Specialist"]),
    ("Engineering", 12, &["Software Engineer", "Senior Software Engineer", "DevOps Engineer", "Data Engineer"]),
    ("IT", 5, &["Systems Administrator", "IT Support Technician", "Network Engineer"]),
    ("Human Resources", 5, &["HR Generalist", "Recruiter", "HR Business Partner"]),
    ("Marketing", 7, &["Marketing Specialist", "Content Manager", "Product Marketing Manager"]),
    ("Legal", 3, &["Corporate Counsel", "Paralegal", "Compliance Officer"]),
    ("Procurement", 4, &["Buyer", "Procurement Manager", "Vendor Manager"]),
];

/// Fixed people every organisation has: (department, title).
pub(crate) const FIXED_ROLES: &[(&str, &str)] = &[
    ("Executive", "Chief Executive Officer"),
    ("Executive", "Chief Financial Officer"),
    ("Executive", "Chief Operating Officer"),
    ("IT", "IT Manager"),
    ("IT", "Systems Administrator"),
    ("IT", "Systems Administrator"),
    ("Finance", "Controller"),
    ("Finance", "Accounts Payable Specialist"),
];

/// Departments whose people mostly sit at an onboarded computer.
pub(crate) fn office_priority(department: &str) -> u32 {
    match department {
        "IT" | "Executive" => 0,
        "Engineering" | "Finance" => 1,
        "Sales" | "Human Resources" | "Marketing" | "Legal" | "Procurement" => 2,
        _ => 3,
    }
}
