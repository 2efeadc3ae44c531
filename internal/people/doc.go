// Package people holds Tend's users: who they are (name, email, roles, a
// patient's clinical profile), how they prove it (passwords, sessions, API
// tokens), and the throttling of failed logins.
//
// Role checks for administrative actions happen at the door, from the route
// table; who may see a patient's data is the access package's business.
package people
